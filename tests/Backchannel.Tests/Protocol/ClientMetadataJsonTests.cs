using System.Text;
using Backchannel.Protocol;

namespace Backchannel.Tests;

/// <summary>Reading the JSON body of a registration request: every mistake is invalid_client_metadata naming the member.</summary>
public class ClientMetadataJsonTests
{
    private static ProtocolResult<ClientMetadata> Parse(string json) => ClientMetadataJson.Parse(Encoding.UTF8.GetBytes(json));

    [Fact]
    public void Known_members_are_read_and_unknown_ones_ignored()
    {
        var result = Parse("""
            {"client_name":"Teller","backchannel_token_delivery_mode":"poll","grant_types":["urn:openid:params:grant-type:ciba"],
             "backchannel_user_code_parameter":true,"backchannel_default_expiry_seconds":60,"redirect_uris":[],"logo_uri":"https://x/logo.png",
             "jwks":{"keys":[{"kty":"EC","crv":"P-256","x":"a","y":"b"}]},"contacts":["ops@example.com"]}
            """);

        Assert.True(result.Succeeded, result.Error?.ToString());
        var metadata = result.Value;
        Assert.Equal(("Teller", "poll", true, 60), (metadata.ClientName, metadata.BackchannelTokenDeliveryMode, metadata.BackchannelUserCodeParameter,
            metadata.BackchannelDefaultExpirySeconds));
        Assert.Equal(["urn:openid:params:grant-type:ciba"], metadata.GrantTypes);
        Assert.Empty(metadata.RedirectUris!);
        Assert.Equal("P-256", metadata.Jwks!.Keys.Single()["crv"]);
    }

    [Theory]
    [InlineData("""{"backchannel_user_code_parameter":"true"}""", "backchannel_user_code_parameter must be true or false")]
    [InlineData("""{"backchannel_polling_interval_seconds":"5"}""", "backchannel_polling_interval_seconds must be an integer")]
    [InlineData("""{"backchannel_max_expiry_seconds":3000000000}""", "backchannel_max_expiry_seconds must be an integer")]
    [InlineData("""{"client_name":{"en":"Teller"}}""", "client_name must be a string")]
    [InlineData("""{"grant_types":"urn:openid:params:grant-type:ciba"}""", "grant_types must be an array of strings")]
    [InlineData("""{"channels":["http",7]}""", "channels must be an array of strings")]
    [InlineData("""{"jwks":"keys"}""", "jwks must be a JWK Set")]
    [InlineData("""{"jwks":{"keys":[{"kty":"RSA","key_ops":["verify"]}]}}""", "jwks is malformed at jwks.keys[0].key_ops")]
    [InlineData("""{"require_token_endpoint_auth_method":null,"backchannel_binding_message_required":"yes"}""", "backchannel_binding_message_required must be true or false")]
    public void A_member_of_the_wrong_type_is_named(string json, string expected)
    {
        var result = Parse(json);

        Assert.False(result.Succeeded);
        Assert.Equal(ErrorCodes.InvalidClientMetadata, result.Error.Error);
        Assert.StartsWith(expected, result.Error.Description, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("{")]
    [InlineData("[]")]
    [InlineData("\"metadata\"")]
    [InlineData("null")]
    [InlineData("""{"client_name":"a","client_name":"b"}""")]
    [InlineData("""{"a":[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]}""")]
    public void A_body_that_is_not_one_json_object_with_each_member_once_is_refused(string json)
    {
        var result = Parse(json);

        Assert.False(result.Succeeded);
        Assert.Equal(ErrorCodes.InvalidClientMetadata, result.Error.Error);
        Assert.Contains("JSON object", result.Error.Description, StringComparison.Ordinal);
    }

    [Fact]
    public void Null_members_are_absent_members()
    {
        var result = Parse("""{"client_name":null,"grant_types":null,"backchannel_user_code_parameter":null}""");

        Assert.True(result.Succeeded);
        Assert.Null(result.Value.ClientName);
        Assert.Null(result.Value.GrantTypes);
        Assert.Null(result.Value.BackchannelUserCodeParameter);
    }
}
