using System.Security.Cryptography;
using System.Text;
using Backchannel.Clients;
using Backchannel.Domain;
using Backchannel.Protocol;

namespace Backchannel.Tests;

public class ClientMetadataValidatorTests
{
    private const string Secret = "a-long-and-random-client-secret";

    private static ClientValidationSettings Settings(bool allowHttp = false, bool allowPrivateNetworks = false, IReadOnlyList<string>? modes = null) => new()
    {
        DeliveryModes = modes ?? DeliveryModes.All,
        RequestSigningAlgorithms = [SigningAlgorithms.PS256, SigningAlgorithms.ES256, SigningAlgorithms.RS256],
        AllowHttp = allowHttp,
        AllowPrivateNetworks = allowPrivateNetworks,
    };

    private static ClientMetadata PollClient() => new()
    {
        ClientId = "poll-client",
        ClientSecret = Secret,
        BackchannelTokenDeliveryMode = DeliveryModes.Poll,
    };

    private static ClientMetadata PingClient(string endpoint = "https://client.example.com/cb") => new()
    {
        ClientId = "ping-client",
        ClientSecret = Secret,
        TokenEndpointAuthMethod = ClientAuthenticationMethods.ClientSecretPost,
        BackchannelTokenDeliveryMode = DeliveryModes.Ping,
        BackchannelClientNotificationEndpoint = endpoint,
        GrantTypes = [GrantTypes.Ciba],
    };

    private static ClientMetadata PushClient() => new()
    {
        ClientId = "push-client",
        TokenEndpointAuthMethod = ClientAuthenticationMethods.PrivateKeyJwt,
        Jwks = new JwksDocument { Keys = [TestJwks.RsaPublic(), TestJwks.EcPublic()] },
        BackchannelTokenDeliveryMode = DeliveryModes.Push,
        BackchannelClientNotificationEndpoint = "https://client.example.com/push",
    };

    private static Client Valid(ClientMetadata metadata, ClientValidationSettings? settings = null)
    {
        var result = ClientMetadataValidator.Validate(metadata, settings ?? Settings());
        Assert.Empty(result.Errors);
        Assert.NotNull(result.Client);
        return result.Client;
    }

    private static void Invalid(ClientMetadata metadata, string expectedFragment, ClientValidationSettings? settings = null)
    {
        var result = ClientMetadataValidator.Validate(metadata, settings ?? Settings());
        Assert.Null(result.Client);
        Assert.Contains(result.Errors, e => e.Contains(expectedFragment, StringComparison.Ordinal));
    }

    // valid clients

    [Fact]
    public void Poll_client_with_defaults_is_valid()
    {
        var client = Valid(PollClient());

        Assert.Equal("poll-client", client.ClientId);
        Assert.Equal(ClientAuthenticationMethods.ClientSecretBasic, client.AuthenticationMethod);
        Assert.Equal(DeliveryModes.Poll, client.DeliveryMode);
        Assert.Null(client.NotificationEndpoint);
        Assert.True(client.MayUse(GrantTypes.Ciba));
        Assert.True(client.MayUse(GrantTypes.RefreshToken));
        Assert.Null(client.AllowedScopes);
        Assert.False(client.HasKeys);
        Assert.False(client.UserCodeParameter);
    }

    [Fact]
    public void Ping_client_is_valid()
    {
        var client = Valid(PingClient());

        Assert.Equal(DeliveryModes.Ping, client.DeliveryMode);
        Assert.Equal(new Uri("https://client.example.com/cb"), client.NotificationEndpoint);
        Assert.Equal(ClientAuthenticationMethods.ClientSecretPost, client.AuthenticationMethod);
        Assert.False(client.MayUse(GrantTypes.RefreshToken));
    }

    [Fact]
    public void Push_client_with_private_key_jwt_and_inline_keys_is_valid()
    {
        var client = Valid(PushClient());

        Assert.Equal(DeliveryModes.Push, client.DeliveryMode);
        Assert.Equal(new Uri("https://client.example.com/push"), client.NotificationEndpoint);
        Assert.Equal(2, client.Keys.Count);
        Assert.True(client.HasKeys);
        Assert.Null(client.SecretHash);
        Assert.All(client.Keys, k => Assert.False(k.HasPrivateKey));
    }

    [Fact]
    public void Private_key_jwt_client_with_jwks_uri_is_valid()
    {
        var metadata = PollClient();
        metadata.ClientSecret = null;
        metadata.TokenEndpointAuthMethod = ClientAuthenticationMethods.PrivateKeyJwt;
        metadata.JwksUri = "https://client.example.com/jwks.json";

        var client = Valid(metadata);

        Assert.Equal(new Uri("https://client.example.com/jwks.json"), client.JwksUri);
        Assert.True(client.HasKeys);
    }

    [Fact]
    public void Client_scope_becomes_the_allowed_scopes_with_openid()
    {
        var metadata = PollClient();
        metadata.Scope = "email profile";

        var client = Valid(metadata);

        Assert.NotNull(client.AllowedScopes);
        Assert.True(client.AllowedScopes.SetEquals(["openid", "email", "profile"]));
    }

    [Fact]
    public void Signed_request_client_is_valid()
    {
        var metadata = PushClient();
        metadata.BackchannelAuthenticationRequestSigningAlg = SigningAlgorithms.PS256;

        Assert.Equal(SigningAlgorithms.PS256, Valid(metadata).RequestSigningAlgorithm);
    }

    // the secret

    [Fact]
    public void Secret_is_kept_only_as_its_sha256_hash()
    {
        var result = ClientMetadataValidator.Validate(PollClient(), Settings());
        var client = result.Client!;

        Assert.Equal(SHA256.HashData(Encoding.UTF8.GetBytes(Secret)), client.SecretHash);
        Assert.True(SecretHash.Matches(Secret, client.SecretHash));
        Assert.Null(result.Metadata!.ClientSecret);
        Assert.Equal("poll-client", result.Metadata.ClientId);
        Assert.Equal(ClientAuthenticationMethods.ClientSecretBasic, result.Metadata.TokenEndpointAuthMethod);
    }

    [Fact]
    public void Validation_does_not_clear_the_callers_metadata()
    {
        var metadata = PollClient();

        Valid(metadata);

        Assert.Equal(Secret, metadata.ClientSecret);
    }

    // errors

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void Missing_client_id_is_refused(string? clientId)
    {
        var metadata = PollClient();
        metadata.ClientId = clientId;

        Invalid(metadata, "client_id is required");
    }

    [Theory]
    [InlineData("with:colon")]
    [InlineData("caf\u00e9")]
    [InlineData("new\nline")]
    public void Client_id_outside_printable_ascii_or_with_colon_is_refused(string clientId)
    {
        var metadata = PollClient();
        metadata.ClientId = clientId;

        Invalid(metadata, "client_id must be printable ASCII");
    }

    [Theory]
    [InlineData("none")]
    [InlineData("client_secret_jwt")]
    public void Unsupported_authentication_method_is_refused(string method)
    {
        var metadata = PollClient();
        metadata.TokenEndpointAuthMethod = method;

        Invalid(metadata, $"token_endpoint_auth_method '{method}' is not supported");
    }

    [Theory]
    [InlineData(ClientAuthenticationMethods.ClientSecretBasic, null)]
    [InlineData(ClientAuthenticationMethods.ClientSecretPost, null)]
    [InlineData(ClientAuthenticationMethods.ClientSecretBasic, "")]
    public void Secret_method_without_secret_is_refused(string method, string? secret)
    {
        var metadata = PollClient();
        metadata.TokenEndpointAuthMethod = method;
        metadata.ClientSecret = secret;

        Invalid(metadata, $"client_secret is required for {method}");
    }

    [Fact]
    public void Private_key_jwt_without_keys_is_refused()
    {
        var metadata = PollClient();
        metadata.ClientSecret = null;
        metadata.TokenEndpointAuthMethod = ClientAuthenticationMethods.PrivateKeyJwt;

        Invalid(metadata, "private_key_jwt needs the client's public keys");
    }

    [Fact]
    public void Jwks_and_jwks_uri_together_are_refused()
    {
        var metadata = PushClient();
        metadata.JwksUri = "https://client.example.com/jwks.json";

        Invalid(metadata, "jwks and jwks_uri must not both be present");
    }

    [Fact]
    public void Empty_jwks_is_refused()
    {
        var metadata = PushClient();
        metadata.Jwks = new JwksDocument();

        Invalid(metadata, "jwks has no keys");
    }

    [Fact]
    public void Missing_delivery_mode_is_refused()
    {
        var metadata = PollClient();
        metadata.BackchannelTokenDeliveryMode = null;

        Invalid(metadata, "backchannel_token_delivery_mode is required");
    }

    [Theory]
    [InlineData("Poll")]
    [InlineData("long-poll")]
    public void Unknown_delivery_mode_is_refused(string mode)
    {
        var metadata = PollClient();
        metadata.BackchannelTokenDeliveryMode = mode;

        Invalid(metadata, $"backchannel_token_delivery_mode '{mode}' is unknown");
    }

    [Fact]
    public void Delivery_mode_disabled_on_the_provider_is_refused()
    {
        Invalid(PushClient(), "'push' is not enabled", Settings(modes: [DeliveryModes.Poll, DeliveryModes.Ping]));
    }

    [Theory]
    [InlineData(DeliveryModes.Ping)]
    [InlineData(DeliveryModes.Push)]
    public void Notifying_mode_without_endpoint_is_refused(string mode)
    {
        var metadata = PingClient();
        metadata.BackchannelTokenDeliveryMode = mode;
        metadata.BackchannelClientNotificationEndpoint = null;

        Invalid(metadata, $"backchannel_client_notification_endpoint is required for the {mode} mode");
    }

    [Fact]
    public void Http_notification_endpoint_is_refused_unless_allowed()
    {
        var metadata = PingClient("http://client.example.com/cb");

        Invalid(metadata, "must be an https URL");
        Assert.Equal(new Uri("http://client.example.com/cb"), Valid(metadata, Settings(allowHttp: true)).NotificationEndpoint);
    }

    [Theory]
    [InlineData("not a url")]
    [InlineData("/relative/cb")]
    [InlineData("ftp://client.example.com/cb")]
    [InlineData("https://user:pass@client.example.com/cb")]
    [InlineData("https://client.example.com/cb#fragment")]
    public void Malformed_notification_endpoint_is_refused(string endpoint)
    {
        Invalid(PingClient(endpoint), "backchannel_client_notification_endpoint ");
    }

    [Theory]
    [InlineData("https://127.0.0.1/cb")]
    [InlineData("https://127.8.9.10:8443/cb")]
    [InlineData("https://10.0.0.1/cb")]
    [InlineData("https://192.168.1.20/cb")]
    [InlineData("https://172.16.0.1/cb")]
    [InlineData("https://169.254.169.254/latest/meta-data/")]
    [InlineData("https://[::1]/cb")]
    [InlineData("https://[fd00::1]/cb")]
    [InlineData("https://[::ffff:10.0.0.1]/cb")]
    [InlineData("https://localhost/cb")]
    [InlineData("https://LOCALHOST:5001/cb")]
    [InlineData("https://app.localhost/cb")]
    [InlineData("https://0.0.0.0/cb")]
    public void Private_or_loopback_notification_endpoint_is_refused_unless_allowed(string endpoint)
    {
        var metadata = PingClient(endpoint);

        Invalid(metadata, "backchannel_client_notification_endpoint must not point at");
        Assert.NotNull(Valid(metadata, Settings(allowPrivateNetworks: true)).NotificationEndpoint);
    }

    [Fact]
    public void Private_jwks_uri_is_refused_unless_allowed()
    {
        var metadata = PollClient();
        metadata.ClientSecret = null;
        metadata.TokenEndpointAuthMethod = ClientAuthenticationMethods.PrivateKeyJwt;
        metadata.JwksUri = "https://169.254.169.254/jwks";

        Invalid(metadata, "jwks_uri must not point at");
        Valid(metadata, Settings(allowPrivateNetworks: true));
    }

    [Theory]
    [InlineData(DeliveryModes.Poll)]
    [InlineData(DeliveryModes.Ping)]
    public void Poll_or_ping_client_without_the_ciba_grant_is_refused(string mode)
    {
        var metadata = PingClient();
        metadata.BackchannelTokenDeliveryMode = mode;
        metadata.GrantTypes = [GrantTypes.RefreshToken];

        Invalid(metadata, $"grant_types must include {GrantTypes.Ciba} for the {mode} mode");
    }

    [Fact]
    public void Push_client_without_the_ciba_grant_is_accepted()
    {
        var metadata = PushClient();
        metadata.GrantTypes = [GrantTypes.RefreshToken];

        Assert.False(Valid(metadata).MayUse(GrantTypes.Ciba));
    }

    [Theory]
    [InlineData("authorization_code")]
    [InlineData("password")]
    public void Unsupported_grant_type_is_refused(string grantType)
    {
        var metadata = PollClient();
        metadata.GrantTypes = [GrantTypes.Ciba, grantType];

        Invalid(metadata, $"grant_types has '{grantType}', a grant type that is not supported");
    }

    [Theory]
    [InlineData("HS256")]
    [InlineData("none")]
    [InlineData("RS1")]
    public void Symmetric_or_unknown_request_signing_algorithm_is_refused(string alg)
    {
        var metadata = PushClient();
        metadata.BackchannelAuthenticationRequestSigningAlg = alg;

        Invalid(metadata, $"backchannel_authentication_request_signing_alg '{alg}' is not accepted");
    }

    [Fact]
    public void Request_signing_algorithm_the_provider_does_not_accept_is_refused()
    {
        var metadata = PushClient();
        metadata.BackchannelAuthenticationRequestSigningAlg = SigningAlgorithms.ES512;

        Invalid(metadata, "backchannel_authentication_request_signing_alg 'ES512' is not accepted");
    }

    [Fact]
    public void Signed_requests_without_client_keys_are_refused()
    {
        var metadata = PollClient();
        metadata.BackchannelAuthenticationRequestSigningAlg = SigningAlgorithms.ES256;

        Invalid(metadata, "signed authentication requests need the client's public keys");
    }

    [Fact]
    public void Symmetric_assertion_signing_algorithm_is_refused()
    {
        var metadata = PushClient();
        metadata.TokenEndpointAuthSigningAlg = "HS256";

        Invalid(metadata, "token_endpoint_auth_signing_alg 'HS256'");
    }

    [Fact]
    public void Rsa_key_shorter_than_2048_bits_is_refused()
    {
        var metadata = PushClient();
        metadata.Jwks = new JwksDocument { Keys = [TestJwks.RsaPublic(1024)] };

        Invalid(metadata, "jwks key 0 is an RSA key shorter than 2048 bits");
    }

    [Fact]
    public void Rsa_private_key_in_jwks_is_refused()
    {
        var metadata = PushClient();
        metadata.Jwks = new JwksDocument { Keys = [TestJwks.EcPublic(), TestJwks.RsaPrivate()] };

        Invalid(metadata, "jwks key 1 contains private key material");
    }

    [Fact]
    public void Ec_private_key_in_jwks_is_refused()
    {
        var metadata = PushClient();
        metadata.Jwks = new JwksDocument { Keys = [TestJwks.EcPrivate()] };

        Invalid(metadata, "jwks key 0 contains private key material");
    }

    [Fact]
    public void Rsa_private_exponent_without_the_crt_members_is_refused()
    {
        // RFC 7518 6.3.2: "d" alone is an RSA private key; the other private members are optional.
        var full = TestJwks.RsaPrivate();
        var privateKey = new Dictionary<string, string> { ["kty"] = "RSA", ["n"] = full["n"], ["e"] = full["e"], ["d"] = full["d"] };
        var metadata = PushClient();
        metadata.Jwks = new JwksDocument { Keys = [privateKey] };

        Invalid(metadata, "jwks key 0 contains private key material");
    }

    [Fact]
    public void Symmetric_key_in_jwks_is_refused()
    {
        var metadata = PushClient();
        metadata.Jwks = new JwksDocument { Keys = [new Dictionary<string, string> { ["kty"] = "oct", ["k"] = "c2VjcmV0LXNlY3JldC1zZWNyZXQ" }] };

        Invalid(metadata, "jwks key 0 has kty 'oct'");
    }

    [Fact]
    public void User_code_parameter_is_refused_when_the_provider_does_not_support_it()
    {
        var metadata = PollClient();
        metadata.BackchannelUserCodeParameter = true;

        Invalid(metadata, "backchannel_user_code_parameter is not supported", Settings() with { UserCodeSupported = false });
        Assert.True(Valid(metadata).UserCodeParameter);
    }

    [Fact]
    public void Every_problem_is_listed()
    {
        var metadata = new ClientMetadata
        {
            TokenEndpointAuthMethod = "none",
            BackchannelTokenDeliveryMode = DeliveryModes.Ping,
        };

        var result = ClientMetadataValidator.Validate(metadata, Settings());

        Assert.Null(result.Client);
        Assert.Contains(result.Errors, e => e.Contains("client_id is required", StringComparison.Ordinal));
        Assert.Contains(result.Errors, e => e.Contains("token_endpoint_auth_method 'none'", StringComparison.Ordinal));
        Assert.Contains(result.Errors, e => e.Contains("backchannel_client_notification_endpoint is required", StringComparison.Ordinal));
    }

    /// <summary>The metadata, changed (ClientMetadata is a mutable class, as configuration binding needs).</summary>
    private static ClientMetadata Changed(ClientMetadata metadata, Action<ClientMetadata> change)
    {
        change(metadata);
        return metadata;
    }

    // subject types (OpenID Connect Core 8, CIBA Core 4) and the introspection permission

    [Fact]
    public void Clients_are_public_by_default_and_introspect_their_own_tokens_only()
    {
        var client = Valid(PollClient());

        Assert.Null(client.PairwiseSector);
        Assert.False(client.IntrospectAnyToken);
        Assert.Null(Valid(Changed(PollClient(), m => { m.SubjectType = SubjectTypes.Public; })).PairwiseSector);
    }

    [Fact]
    public void A_pairwise_push_client_has_the_host_of_its_notification_endpoint_as_sector()
    {
        var client = Valid(Changed(PushClient(), m => { m.SubjectType = SubjectTypes.Pairwise; }));

        Assert.Equal("client.example.com", client.PairwiseSector);
    }

    [Fact]
    public void A_pairwise_push_client_keeps_its_notification_host_even_with_a_sector_identifier_uri()
    {
        var client = Valid(Changed(PushClient(), m =>
        {
            m.SubjectType = SubjectTypes.Pairwise;
            m.SectorIdentifierUri = "https://sector.example.org/ids.json";
        }));

        Assert.Equal("client.example.com", client.PairwiseSector);
    }

    [Fact]
    public void A_pairwise_poll_or_ping_client_has_the_host_of_its_sector_identifier_uri_as_sector()
    {
        Assert.Equal("sector.example.org", Valid(Changed(PollClient(), m =>
        {
            m.SubjectType = SubjectTypes.Pairwise;
            m.SectorIdentifierUri = "https://Sector.Example.ORG/ids.json";
        })).PairwiseSector);
        Assert.Equal("sector.example.org", Valid(Changed(PingClient(), m =>
        {
            m.SubjectType = SubjectTypes.Pairwise;
            m.SectorIdentifierUri = "https://sector.example.org/ids.json";
        })).PairwiseSector);
    }

    [Fact]
    public void The_sector_identifier_uri_comes_before_jwks_uri()
    {
        var client = Valid(Changed(PollClient(), m =>
        {
            m.SubjectType = SubjectTypes.Pairwise;
            m.JwksUri = "https://keys.example.net/jwks";
            m.SectorIdentifierUri = "https://sector.example.org/ids.json";
        }));

        Assert.Equal("sector.example.org", client.PairwiseSector);
    }

    [Fact]
    public void A_pairwise_client_proving_it_holds_the_keys_of_its_jwks_uri_has_its_host_as_sector()
    {
        var assertions = Valid(new ClientMetadata
        {
            ClientId = "jwt-client",
            TokenEndpointAuthMethod = ClientAuthenticationMethods.PrivateKeyJwt,
            JwksUri = "https://keys.example.net/jwks",
            BackchannelTokenDeliveryMode = DeliveryModes.Poll,
            SubjectType = SubjectTypes.Pairwise,
        });
        var signedRequests = Valid(Changed(PollClient(), m =>
        {
            m.JwksUri = "https://keys.example.net/jwks";
            m.BackchannelAuthenticationRequestSigningAlg = SigningAlgorithms.PS256;
            m.SubjectType = SubjectTypes.Pairwise;
        }));

        Assert.Equal("keys.example.net", assertions.PairwiseSector);
        Assert.Equal("keys.example.net", signedRequests.PairwiseSector);
    }

    [Fact]
    public void A_pairwise_client_whose_sector_would_come_from_keys_it_never_uses_is_refused()
    {
        Invalid(Changed(PollClient(), m => { m.SubjectType = SubjectTypes.Pairwise; m.JwksUri = "https://keys.example.net/jwks"; }),
            "subject_type pairwise with the sector identifier from jwks_uri needs proof that the client holds those keys");
    }

    [Fact]
    public void A_pairwise_poll_client_without_sector_identifier_uri_or_jwks_uri_is_refused_naming_them()
    {
        Invalid(Changed(PollClient(), m =>
        {
            m.SubjectType = SubjectTypes.Pairwise;
        }), "subject_type pairwise needs sector_identifier_uri or jwks_uri");
    }

    [Theory]
    [InlineData("http://sector.example.org/ids.json")]
    [InlineData("sector.example.org")]
    [InlineData("https://sector.example.org/ids.json#fragment")]
    public void A_sector_identifier_uri_must_be_an_absolute_https_url(string uri)
    {
        Invalid(Changed(PollClient(), m => { m.SubjectType = SubjectTypes.Pairwise; m.SectorIdentifierUri = uri; }),
            "sector_identifier_uri must be an absolute https URL without a fragment");
    }

    [Fact]
    public void An_http_sector_identifier_uri_is_accepted_where_http_is_allowed()
    {
        var client = Valid(Changed(PollClient(), m =>
        {
            m.SubjectType = SubjectTypes.Pairwise;
            m.SectorIdentifierUri = "http://localhost:8080/ids.json";
        }),
            Settings(allowHttp: true));

        Assert.Equal("localhost", client.PairwiseSector);
    }

    [Fact]
    public void An_unknown_subject_type_is_refused_naming_the_supported_ones()
    {
        Invalid(Changed(PollClient(), m =>
        {
            m.SubjectType = "ephemeral";
        }), "subject_type 'ephemeral' is not supported (use public or pairwise)");
    }

    [Fact]
    public void The_subject_metadata_and_the_introspection_permission_are_kept_in_the_registered_metadata()
    {
        var metadata = Changed(PollClient(), m =>
        {
            m.SubjectType = SubjectTypes.Pairwise;
            m.SectorIdentifierUri = "https://sector.example.org/ids.json";
            m.IntrospectAnyToken = true;
        });

        var result = ClientMetadataValidator.Validate(metadata, Settings());

        Assert.True(result.Client!.IntrospectAnyToken);
        Assert.Equal(SubjectTypes.Pairwise, result.Metadata!.SubjectType);
        Assert.Equal("https://sector.example.org/ids.json", result.Metadata.SectorIdentifierUri);
        Assert.True(result.Metadata.IntrospectAnyToken);
    }

    [Fact]
    public void Dpop_bound_access_tokens_is_kept_and_refused_when_DPoP_is_off()
    {
        var metadata = PollClient();
        metadata.DpopBoundAccessTokens = true;

        Assert.True(Valid(metadata).DpopBoundAccessTokens);
        Assert.True(ClientMetadataValidator.Validate(metadata, Settings()).Metadata!.DpopBoundAccessTokens);
        Assert.False(Valid(PollClient()).DpopBoundAccessTokens);
        Invalid(metadata, "dpop_bound_access_tokens needs DPoP", Settings() with { DpopEnabled = false });
    }
}
