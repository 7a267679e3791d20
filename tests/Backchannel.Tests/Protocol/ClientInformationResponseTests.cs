using System.Text.Json;
using Backchannel.Protocol;

namespace Backchannel.Tests;

/// <summary>The client information response: the registered metadata, member by member, with the provider's own members.</summary>
public class ClientInformationResponseTests
{
    [Fact]
    public void The_response_carries_the_metadata_and_the_credentials_but_never_a_stored_secret()
    {
        var metadata = new ClientMetadata
        {
            ClientId = "abc",
            ClientSecret = "not-to-be-echoed",
            BackchannelTokenDeliveryMode = DeliveryModes.Poll,
            GrantTypes = [GrantTypes.Ciba],
            RedirectUris = [],
            BackchannelUserCodeParameter = false,
        };

        var json = JsonSerializer.SerializeToElement(new ClientInformationResponse
        {
            ClientSecret = "issued-now",
            ClientIdIssuedAt = 1_700_000_000,
            ClientSecretExpiresAt = 0,
            RegistrationAccessToken = "token",
            RegistrationClientUri = "https://op.example.com/register/abc",
            Metadata = ClientInformationResponse.Members(metadata),
        }, ProtocolJsonContext.Default.ClientInformationResponse);

        Assert.Equal("abc", json.GetProperty("client_id").GetString());
        Assert.Equal("issued-now", json.GetProperty("client_secret").GetString());
        Assert.Equal(1_700_000_000, json.GetProperty("client_id_issued_at").GetInt64());
        Assert.Equal(0, json.GetProperty("client_secret_expires_at").GetInt64());
        Assert.Equal("token", json.GetProperty("registration_access_token").GetString());
        Assert.Equal("https://op.example.com/register/abc", json.GetProperty("registration_client_uri").GetString());
        Assert.Equal("poll", json.GetProperty("backchannel_token_delivery_mode").GetString());
        Assert.Equal(0, json.GetProperty("redirect_uris").GetArrayLength());
        Assert.False(json.GetProperty("backchannel_user_code_parameter").GetBoolean());
        Assert.False(json.TryGetProperty("client_name", out _), "absent members stay absent");
        Assert.Single(json.EnumerateObject(), member => member.Name == "client_secret");
    }

    [Fact]
    public void Without_a_secret_neither_the_secret_nor_its_expiry_appear()
    {
        var json = JsonSerializer.SerializeToElement(new ClientInformationResponse
        {
            ClientIdIssuedAt = 1,
            RegistrationAccessToken = "token",
            RegistrationClientUri = "https://op.example.com/register/abc",
            Metadata = ClientInformationResponse.Members(new ClientMetadata { ClientId = "abc", ClientSecret = "stored-as-a-hash" }),
        }, ProtocolJsonContext.Default.ClientInformationResponse);

        Assert.False(json.TryGetProperty("client_secret", out _));
        Assert.False(json.TryGetProperty("client_secret_expires_at", out _));
    }
}
