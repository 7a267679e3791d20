using System.Text.Json;
using Backchannel.Clients;
using Backchannel.Domain;
using Backchannel.Protocol;
using Backchannel.Users;

namespace Backchannel.Tests;

/// <summary>
/// The client metadata of per-client policy and of RFC 7591 registration (redirect_uris, response_types), as the one
/// validator of settings and registration reads them.
/// </summary>
public class ClientPolicyMetadataTests
{
    private static readonly ClientValidationSettings Settings = new()
    {
        DeliveryModes = DeliveryModes.All,
        RequestSigningAlgorithms = SigningAlgorithms.RequestObjectDefaults,
        MaxExpirySeconds = 600,
        PollingIntervalSeconds = 5,
    };

    private static ClientMetadata Poll() => new()
    {
        ClientId = "policy-client",
        ClientSecret = "a-long-and-random-client-secret",
        BackchannelTokenDeliveryMode = DeliveryModes.Poll,
    };

    private static ClientValidationResult Validate(ClientMetadata metadata) => ClientMetadataValidator.Validate(metadata, Settings);

    [Fact]
    public void Without_policy_members_the_client_has_no_policy_of_its_own()
    {
        var client = Validate(Poll()).Client!;

        Assert.Null(client.AllowedHintKinds);
        Assert.Null(client.LoginHintTokenTypes);
        Assert.Null(client.DefaultExpirySeconds);
        Assert.Null(client.MaxExpirySeconds);
        Assert.Null(client.PollingIntervalSeconds);
        Assert.False(client.BindingMessageRequired);
        Assert.Null(client.BindingMessagePattern);
    }

    [Fact]
    public void Policy_members_become_the_clients_policy_and_are_kept_in_its_metadata()
    {
        var metadata = Poll();
        metadata.Jwks = new JwksDocument { Keys = [TestJwks.EcPublic()] };
        metadata.BackchannelAllowedHintTypes = ["login_hint_token", "id_token_hint"];
        metadata.BackchannelEndpointLoginHintTokenTypes = ["email", "iss_sub"];
        metadata.BackchannelDefaultExpirySeconds = 60;
        metadata.BackchannelMaxExpirySeconds = 300;
        metadata.BackchannelPollingIntervalSeconds = 10;
        metadata.BackchannelBindingMessageRequired = true;
        metadata.BackchannelBindingMessagePattern = "^[0-9]{6}$";
        metadata.RedirectUris = [];
        metadata.ResponseTypes = [];

        var result = Validate(metadata);

        Assert.Empty(result.Errors);
        var client = result.Client!;
        Assert.Equal([UserHintKind.LoginHintToken, UserHintKind.IdTokenHint], client.AllowedHintKinds!.Order());
        Assert.Equal(["email", "iss_sub"], client.LoginHintTokenTypes!.Order(StringComparer.Ordinal));
        Assert.Equal((60, 300, 10), (client.DefaultExpirySeconds, client.MaxExpirySeconds, client.PollingIntervalSeconds));
        Assert.True(client.BindingMessageRequired);
        Assert.Matches(client.BindingMessagePattern!, "123456");
        Assert.DoesNotMatch(client.BindingMessagePattern!, "12345");

        // What the store keeps (and registration echoes) carries every member, the empty lists included.
        var stored = JsonSerializer.Serialize(result.Metadata!, ProtocolJsonContext.Default.ClientMetadata);
        var reread = JsonSerializer.Deserialize(stored, ProtocolJsonContext.Default.ClientMetadata)!;
        Assert.Equal(metadata.BackchannelAllowedHintTypes, reread.BackchannelAllowedHintTypes);
        Assert.Equal(metadata.BackchannelEndpointLoginHintTokenTypes, reread.BackchannelEndpointLoginHintTokenTypes);
        Assert.Equal((60, 300, 10, true, "^[0-9]{6}$"), (reread.BackchannelDefaultExpirySeconds, reread.BackchannelMaxExpirySeconds,
            reread.BackchannelPollingIntervalSeconds, reread.BackchannelBindingMessageRequired, reread.BackchannelBindingMessagePattern));
        Assert.Empty(reread.RedirectUris!);
        Assert.Empty(reread.ResponseTypes!);
        Assert.Null(reread.ClientSecret);
    }

    [Fact]
    public void Redirect_uris_are_kept_when_they_are_absolute_without_a_fragment()
    {
        var metadata = Poll();
        metadata.RedirectUris = ["https://client.example.com/callback", "com.example.app:/oauth"];

        Assert.Empty(Validate(metadata).Errors);
    }

    /// <summary>Each case breaks one member; the error names it.</summary>
    public static TheoryData<string, Action<ClientMetadata>> InvalidCases => new()
    {
        { "backchannel_allowed_hint_types", m => m.BackchannelAllowedHintTypes = ["login_hint", "phone"] },
        { "backchannel_allowed_hint_types", m => m.BackchannelAllowedHintTypes = [] },
        { "backchannel_endpoint_login_hint_token_types", m => m.BackchannelEndpointLoginHintTokenTypes = ["email"] },
        {
            "backchannel_endpoint_login_hint_token_types", m =>
            {
                m.Jwks = new JwksDocument { Keys = [TestJwks.EcPublic()] };
                m.BackchannelEndpointLoginHintTokenTypes = ["email", "jwt"];
            }
        },
        {
            "backchannel_endpoint_login_hint_token_types", m =>
            {
                m.JwksUri = "https://client.example.com/jwks";
                m.BackchannelEndpointLoginHintTokenTypes = [];
            }
        },
        {
            "backchannel_allowed_hint_types does not allow login_hint_token", m =>
            {
                m.JwksUri = "https://client.example.com/jwks";
                m.BackchannelEndpointLoginHintTokenTypes = ["email"];
                m.BackchannelAllowedHintTypes = ["login_hint"];
            }
        },
        { "backchannel_max_expiry_seconds", m => m.BackchannelMaxExpirySeconds = 0 },
        { "backchannel_max_expiry_seconds", m => m.BackchannelMaxExpirySeconds = 601 },
        { "backchannel_default_expiry_seconds", m => m.BackchannelDefaultExpirySeconds = -1 },
        { "backchannel_default_expiry_seconds", m => m.BackchannelDefaultExpirySeconds = 601 },
        {
            "backchannel_default_expiry_seconds", m =>
            {
                m.BackchannelMaxExpirySeconds = 60;
                m.BackchannelDefaultExpirySeconds = 61;
            }
        },
        { "backchannel_polling_interval_seconds", m => m.BackchannelPollingIntervalSeconds = 4 },
        { "backchannel_polling_interval_seconds", m => m.BackchannelPollingIntervalSeconds = 601 },
        { "backchannel_binding_message_pattern", m => m.BackchannelBindingMessagePattern = "" },
        { "backchannel_binding_message_pattern", m => m.BackchannelBindingMessagePattern = new string('a', 257) },
        { "backchannel_binding_message_pattern", m => m.BackchannelBindingMessagePattern = "[unclosed" },
        { "backchannel_binding_message_pattern", m => m.BackchannelBindingMessagePattern = @"(\w)\1" },
        { "backchannel_binding_message_pattern", m => m.BackchannelBindingMessagePattern = "^(?=secret).*$" },
        { "backchannel_binding_message_pattern", m => m.BackchannelBindingMessagePattern = "((a{1000}){1000}){1000}" },
        { "redirect_uris", m => m.RedirectUris = ["/relative"] },
        { "redirect_uris", m => m.RedirectUris = ["https://client.example.com/cb#fragment"] },
        { "response_types", m => m.ResponseTypes = ["code"] },
    };

    [Theory]
    [MemberData(nameof(InvalidCases))]
    public void A_wrong_member_is_refused_naming_it(string expected, Action<ClientMetadata> breakIt)
    {
        var metadata = Poll();
        breakIt(metadata);

        var result = Validate(metadata);

        Assert.Null(result.Client);
        Assert.Contains(result.Errors, e => e.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void A_limit_of_the_provider_that_shrinks_makes_a_stored_clients_larger_one_invalid()
    {
        var metadata = Poll();
        metadata.BackchannelMaxExpirySeconds = 600;
        Assert.NotNull(Validate(metadata).Client);

        var result = ClientMetadataValidator.Validate(metadata, Settings with { MaxExpirySeconds = 300 });

        Assert.Contains(result.Errors, e => e.Contains("Ciba:MaxExpirySeconds", StringComparison.Ordinal));
    }

    [Fact]
    public void A_clients_pattern_is_matched_in_linear_time()
    {
        var metadata = Poll();
        metadata.BackchannelBindingMessagePattern = "^(a+)+$";

        var pattern = Validate(metadata).Client!.BindingMessagePattern!;

        // A catastrophic pattern for a backtracking engine: the non-backtracking one answers at once.
        Assert.DoesNotMatch(pattern, new string('a', 5000) + "!");
        Assert.Equal(System.Text.RegularExpressions.RegexOptions.NonBacktracking, pattern.Options & System.Text.RegularExpressions.RegexOptions.NonBacktracking);
    }

    [Fact]
    public void Every_login_hint_token_type_discovery_lists_is_one_the_hint_resolver_reads()
    {
        foreach (var type in LoginHintTokenTypes.Supported)
        {
            using var subId = JsonDocument.Parse(JsonSerializer.Serialize(new Dictionary<string, string>
            {
                ["format"] = type, ["email"] = "a@example.com", ["phone_number"] = "+15555550100", ["id"] = "sub", ["username"] = "alice",
                ["iss"] = "https://op.example.com", ["sub"] = "sub", ["uri"] = "acct:a@example.com",
            }));

            Assert.Equal(type, SubjectIdentifier.Format(subId.RootElement));
            Assert.True(SubjectIdentifier.Parse(subId.RootElement, "https://op.example.com").Succeeded, type);
        }
    }
}
