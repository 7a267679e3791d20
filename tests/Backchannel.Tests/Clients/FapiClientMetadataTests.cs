using Backchannel.Clients;
using Backchannel.Protocol;

namespace Backchannel.Tests;

/// <summary>The client metadata validator under the FAPI profiles: fapi_profile, the provider's default, and what a FAPI client becomes.</summary>
public sealed class FapiClientMetadataTests
{
    private static ClientValidationSettings Settings(FapiProfile profile = FapiProfile.None, bool dpopEnabled = true, bool mtlsEnabled = true) => new()
    {
        DeliveryModes = DeliveryModes.All,
        RequestSigningAlgorithms = [SigningAlgorithms.PS256, SigningAlgorithms.ES256, SigningAlgorithms.RS256],
        FapiProfile = profile,
        DpopEnabled = dpopEnabled,
        MtlsEnabled = mtlsEnabled,
    };

    private static ClientMetadata Fapi2Client(string? profile = "Fapi2Ciba") => new()
    {
        ClientId = "fapi-client",
        TokenEndpointAuthMethod = ClientAuthenticationMethods.PrivateKeyJwt,
        Jwks = new JwksDocument { Keys = [TestJwks.RsaPublic()] },
        BackchannelTokenDeliveryMode = DeliveryModes.Poll,
        FapiProfile = profile,
    };

    private static ClientMetadata SecretClient(string? profile = null) => new()
    {
        ClientId = "secret-client",
        ClientSecret = "a-long-and-random-client-secret",
        BackchannelTokenDeliveryMode = DeliveryModes.Poll,
        FapiProfile = profile,
    };

    [Fact]
    public void A_client_without_fapi_profile_takes_the_providers()
    {
        var client = ClientMetadataValidator.Validate(Fapi2Client(profile: null), Settings(FapiProfile.Fapi2Ciba)).Client;

        Assert.Equal(FapiProfile.Fapi2Ciba, client?.FapiProfile);
        Assert.Equal(FapiProfile.None, ClientMetadataValidator.Validate(SecretClient(), Settings()).Client?.FapiProfile);
    }

    [Fact]
    public void The_clients_fapi_profile_overrides_the_providers_either_way()
    {
        Assert.Equal(FapiProfile.Fapi2Ciba, ClientMetadataValidator.Validate(Fapi2Client(), Settings(FapiProfile.None)).Client?.FapiProfile);

        // An operator may exempt a client from the provider's profile (registration may not: ClientRegistrationService).
        var exempt = ClientMetadataValidator.Validate(SecretClient("None"), Settings(FapiProfile.Fapi1Ciba));
        Assert.Empty(exempt.Errors);
        Assert.Equal(FapiProfile.None, exempt.Client!.FapiProfile);
    }

    [Fact]
    public void A_secret_client_under_the_providers_profile_is_refused_with_every_reason()
    {
        var result = ClientMetadataValidator.Validate(SecretClient(), Settings(FapiProfile.Fapi1Ciba));

        Assert.Null(result.Client);
        Assert.Contains("Fapi1Ciba allows only confidential clients authenticating with private_key_jwt, tls_client_auth, self_signed_tls_client_auth, not client_secret_basic", result.Errors);
        Assert.Contains("Fapi1Ciba requires certificate-bound access tokens: register tls_client_certificate_bound_access_tokens true", result.Errors);
        Assert.Contains("Fapi1Ciba requires signed authentication requests: register the client's public keys in jwks or jwks_uri", result.Errors);
    }

    [Fact]
    public void An_unknown_fapi_profile_is_refused()
    {
        var result = ClientMetadataValidator.Validate(Fapi2Client("FAPI2"), Settings());

        Assert.Contains("fapi_profile 'FAPI2' is unknown (use None, Fapi1Ciba, Fapi2Ciba)", result.Errors);
    }

    [Fact]
    public void A_fapi_push_client_is_refused()
    {
        var metadata = Fapi2Client();
        metadata.BackchannelTokenDeliveryMode = DeliveryModes.Push;
        metadata.BackchannelClientNotificationEndpoint = "https://client.example.com/push";

        Assert.Contains("Fapi2Ciba does not allow the push mode (use poll or ping)", ClientMetadataValidator.Validate(metadata, Settings()).Errors);
    }

    [Fact]
    public void A_fapi_client_gets_ps256_id_tokens_unless_it_registered_es256()
    {
        Assert.Equal("PS256", ClientMetadataValidator.Validate(Fapi2Client(), Settings()).Client?.IdTokenSigningAlgorithm);

        var es256 = Fapi2Client();
        es256.IdTokenSignedResponseAlg = "ES256";
        Assert.Equal("ES256", ClientMetadataValidator.Validate(es256, Settings()).Client?.IdTokenSigningAlgorithm);

        // Without a FAPI profile the provider's Tokens:SigningAlgorithm applies (null).
        Assert.Null(ClientMetadataValidator.Validate(SecretClient(), Settings()).Client?.IdTokenSigningAlgorithm);
    }

    [Fact]
    public void A_fapi_client_needs_a_provider_key_for_ps256_or_es256()
    {
        var rs256Only = Settings() with { TokenSigningAlgorithms = ["RS256"] };

        Assert.Contains(ClientMetadataValidator.Validate(Fapi2Client(), rs256Only).Errors,
            e => e.StartsWith("Fapi2Ciba needs ID tokens signed with PS256 or ES256", StringComparison.Ordinal));
    }

    [Fact]
    public void A_short_rsa_key_is_refused()
    {
        var metadata = Fapi2Client();
        metadata.Jwks = new JwksDocument { Keys = [TestJwks.RsaPublic(1024)] };

        Assert.Contains("jwks key 0 is an RSA key shorter than 2048 bits", ClientMetadataValidator.Validate(metadata, Settings()).Errors);
    }

    [Fact]
    public void Fapi2_without_dpop_needs_certificate_bound_tokens()
    {
        Assert.Contains(ClientMetadataValidator.Validate(Fapi2Client(), Settings(dpopEnabled: false)).Errors,
            e => e.Contains("requires sender-constrained access tokens", StringComparison.Ordinal));

        var bound = Fapi2Client();
        bound.TlsClientCertificateBoundAccessTokens = true;
        var client = ClientMetadataValidator.Validate(bound, Settings(dpopEnabled: false)).Client;
        Assert.True(client?.CertificateBoundAccessTokens);

        // Certificate-bound tokens need mutual TLS: without it the binding is refused, not silently dropped.
        Assert.Contains("tls_client_certificate_bound_access_tokens needs mutual TLS, which this provider has turned off (Mtls:Enabled is false)",
            ClientMetadataValidator.Validate(bound, Settings(dpopEnabled: false, mtlsEnabled: false)).Errors);
    }

    [Fact]
    public void The_registered_metadata_keeps_fapi_profile_and_certificate_binding()
    {
        var metadata = Fapi2Client();
        metadata.TlsClientCertificateBoundAccessTokens = true;

        var registered = ClientMetadataValidator.Validate(metadata, Settings()).Metadata!;

        Assert.Equal("Fapi2Ciba", registered.FapiProfile);
        Assert.True(registered.TlsClientCertificateBoundAccessTokens);
    }

    [Fact]
    public void A_fapi1_tls_client_auth_client_with_signing_keys_and_certificate_bound_tokens_is_accepted()
    {
        var metadata = new ClientMetadata
        {
            ClientId = "teller-desk",
            FapiProfile = "Fapi1Ciba",
            TokenEndpointAuthMethod = ClientAuthenticationMethods.TlsClientAuth,
            TlsClientAuthSubjectDn = "CN=teller-desk,O=Example Bank,C=GB",
            Jwks = new JwksDocument { Keys = [TestJwks.RsaPublic()] },
            BackchannelTokenDeliveryMode = DeliveryModes.Ping,
            BackchannelClientNotificationEndpoint = "https://teller.example.com/ciba",
            TlsClientCertificateBoundAccessTokens = true,
        };

        var result = ClientMetadataValidator.Validate(metadata, Settings());

        Assert.Empty(result.Errors);
        Assert.Equal((FapiProfile.Fapi1Ciba, ClientAuthenticationMethods.TlsClientAuth, true),
            (result.Client!.FapiProfile, result.Client.AuthenticationMethod, result.Client.CertificateBoundAccessTokens));
        Assert.NotNull(result.Client.CertificateSubject);
    }
}
