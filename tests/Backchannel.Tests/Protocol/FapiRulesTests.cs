using Backchannel.Protocol;
using Microsoft.Extensions.Options;

namespace Backchannel.Tests.Protocol;

/// <summary>The FAPI-CIBA rules (pure), profile by profile.</summary>
public sealed class FapiRulesTests
{
    private static ClientMetadata FapiClient(string method = ClientAuthenticationMethods.PrivateKeyJwt) => new()
    {
        ClientId = "fapi-client",
        TokenEndpointAuthMethod = method,
        Jwks = new JwksDocument { Keys = [TestJwks.EcPublic()] },
        BackchannelTokenDeliveryMode = DeliveryModes.Poll,
        TlsClientCertificateBoundAccessTokens = true,
    };

    private static List<string> Errors(ClientMetadata metadata, FapiProfile profile, bool dpopEnabled = true) =>
        FapiRules.ClientMetadataErrors(metadata, metadata.TokenEndpointAuthMethod ?? ClientAuthenticationMethods.ClientSecretBasic, profile, dpopEnabled).ToList();

    [Theory]
    [InlineData("None", FapiProfile.None)]
    [InlineData("Fapi1Ciba", FapiProfile.Fapi1Ciba)]
    [InlineData("fapi2ciba", FapiProfile.Fapi2Ciba)]
    public void Profile_names_are_read_in_any_case(string name, FapiProfile expected)
    {
        Assert.True(FapiProfiles.TryParse(name, out var profile));
        Assert.Equal(expected, profile);
    }

    [Theory]
    [InlineData("Fapi1")]
    [InlineData("FAPI-CIBA")]
    [InlineData("")]
    [InlineData(null)]
    public void Other_profile_names_are_not_read(string? name) => Assert.False(FapiProfiles.TryParse(name, out _));

    [Fact]
    public void No_rule_applies_without_a_profile()
    {
        var secretPushClient = new ClientMetadata { ClientId = "c", ClientSecret = "s", BackchannelTokenDeliveryMode = DeliveryModes.Push };

        Assert.Empty(Errors(secretPushClient, FapiProfile.None));
        Assert.Null(FapiRules.CheckAssertionAlgorithm(FapiProfile.None, "RS256"));
        Assert.Null(FapiRules.CheckRequestObjectAlgorithm(FapiProfile.None, "RS256"));
        Assert.Null(FapiRules.CheckUnsignedRequest(FapiProfile.None));
        Assert.Null(FapiRules.CheckAuthenticationRequest(FapiProfile.None, DeliveryModes.Push, null, null));
        Assert.Null(FapiRules.CheckTokenRequest(FapiProfile.None, certificateBound: false, dpopProved: false));
    }

    [Theory]
    [InlineData(FapiProfile.Fapi1Ciba)]
    [InlineData(FapiProfile.Fapi2Ciba)]
    public void A_private_key_jwt_poll_client_with_certificate_bound_tokens_passes_both_profiles(FapiProfile profile) =>
        Assert.Empty(Errors(FapiClient(), profile));

    [Theory]
    [InlineData(ClientAuthenticationMethods.ClientSecretBasic)]
    [InlineData(ClientAuthenticationMethods.ClientSecretPost)]
    [InlineData("none")]
    public void Secret_and_public_clients_are_refused(string method)
    {
        var errors = Errors(FapiClient(method), FapiProfile.Fapi2Ciba);

        Assert.Contains(errors, e => e.Contains($"only confidential clients authenticating with private_key_jwt, tls_client_auth, self_signed_tls_client_auth, not {method}", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(ClientAuthenticationMethods.TlsClientAuth)]
    [InlineData(ClientAuthenticationMethods.SelfSignedTlsClientAuth)]
    public void Mutual_tls_methods_are_allowed(string method)
    {
        Assert.Contains(method, FapiRules.AuthenticationMethods);
        Assert.Empty(Errors(FapiClient(method), FapiProfile.Fapi1Ciba));
    }

    [Fact]
    public void Rs256_is_refused_for_assertions_request_objects_and_id_tokens()
    {
        var metadata = FapiClient();
        metadata.TokenEndpointAuthSigningAlg = "RS256";
        metadata.BackchannelAuthenticationRequestSigningAlg = "RS256";
        metadata.IdTokenSignedResponseAlg = "RS256";

        var errors = Errors(metadata, FapiProfile.Fapi1Ciba);

        Assert.Contains("token_endpoint_auth_signing_alg 'RS256' is not allowed under Fapi1Ciba (use PS256 or ES256)", errors);
        Assert.Contains("backchannel_authentication_request_signing_alg 'RS256' is not allowed under Fapi1Ciba (use PS256 or ES256)", errors);
        Assert.Contains("id_token_signed_response_alg 'RS256' is not allowed under Fapi1Ciba (use PS256 or ES256)", errors);
    }

    [Fact]
    public void Ps256_and_es256_are_the_algorithms_of_assertions_and_request_objects()
    {
        foreach (var alg in new[] { "PS256", "ES256" })
        {
            Assert.Null(FapiRules.CheckAssertionAlgorithm(FapiProfile.Fapi1Ciba, alg));
            Assert.Null(FapiRules.CheckRequestObjectAlgorithm(FapiProfile.Fapi2Ciba, alg));
        }

        foreach (var alg in new[] { "RS256", "PS384", "ES512", "none", null })
        {
            Assert.Equal(ErrorCodes.InvalidClient, FapiRules.CheckAssertionAlgorithm(FapiProfile.Fapi2Ciba, alg)?.Error);
            Assert.Equal(401, FapiRules.CheckAssertionAlgorithm(FapiProfile.Fapi2Ciba, alg)!.StatusCode);
            Assert.Equal(ErrorCodes.InvalidRequest, FapiRules.CheckRequestObjectAlgorithm(FapiProfile.Fapi1Ciba, alg)?.Error);
        }
    }

    [Fact]
    public void The_push_mode_is_refused_at_registration_and_at_the_backchannel_endpoint()
    {
        var metadata = FapiClient();
        metadata.BackchannelTokenDeliveryMode = DeliveryModes.Push;

        Assert.Contains("Fapi2Ciba does not allow the push mode (use poll or ping)", Errors(metadata, FapiProfile.Fapi2Ciba));
        Assert.Equal(ErrorCodes.UnauthorizedClient,
            FapiRules.CheckAuthenticationRequest(FapiProfile.Fapi1Ciba, DeliveryModes.Push, "Pay 10 EUR", null)?.Error);
    }

    [Fact]
    public void Fapi1_needs_certificate_bound_tokens_and_keys_to_sign_requests_with()
    {
        var metadata = FapiClient(ClientAuthenticationMethods.TlsClientAuth);
        metadata.Jwks = null;
        metadata.TlsClientCertificateBoundAccessTokens = null;

        var errors = Errors(metadata, FapiProfile.Fapi1Ciba);

        Assert.Contains("Fapi1Ciba requires certificate-bound access tokens: register tls_client_certificate_bound_access_tokens true", errors);
        Assert.Contains("Fapi1Ciba requires signed authentication requests: register the client's public keys in jwks or jwks_uri", errors);
    }

    [Fact]
    public void Fapi2_takes_dpop_or_certificate_bound_tokens()
    {
        var metadata = FapiClient(ClientAuthenticationMethods.TlsClientAuth);
        metadata.Jwks = null;
        metadata.TlsClientCertificateBoundAccessTokens = false;

        Assert.Empty(Errors(metadata, FapiProfile.Fapi2Ciba, dpopEnabled: true));
        Assert.Contains(Errors(metadata, FapiProfile.Fapi2Ciba, dpopEnabled: false), e => e.Contains("Dpop:Enabled is false", StringComparison.Ordinal));
        metadata.TlsClientCertificateBoundAccessTokens = true;
        Assert.Empty(Errors(metadata, FapiProfile.Fapi2Ciba, dpopEnabled: false));
    }

    [Fact]
    public void Only_fapi1_requires_signed_requests()
    {
        Assert.Equal(ErrorCodes.InvalidRequest, FapiRules.CheckUnsignedRequest(FapiProfile.Fapi1Ciba)?.Error);
        Assert.Null(FapiRules.CheckUnsignedRequest(FapiProfile.Fapi2Ciba));
    }

    [Theory]
    [InlineData(FapiProfile.Fapi1Ciba)]
    [InlineData(FapiProfile.Fapi2Ciba)]
    public void A_binding_message_or_a_unique_request_context_is_required(FapiProfile profile)
    {
        var missing = FapiRules.CheckAuthenticationRequest(profile, DeliveryModes.Poll, null, null);
        Assert.Equal((ErrorCodes.InvalidBindingMessage, 400), (missing?.Error, missing?.StatusCode));
        Assert.Null(FapiRules.CheckAuthenticationRequest(profile, DeliveryModes.Ping, "Pay 10 EUR to ACME", null));
        Assert.Null(FapiRules.CheckAuthenticationRequest(profile, DeliveryModes.Poll, null, """{"txn":"8d6b1a52"}"""));
        Assert.NotNull(FapiRules.CheckAuthenticationRequest(profile, DeliveryModes.Poll, "", """{"txn":""}"""));
    }

    [Theory]
    [InlineData("""{"txn":"8d6b1a52"}""", true)]
    [InlineData("""{"payment":{"amount":"10.00"}}""", true)]
    [InlineData("""{"amount":10}""", true)]
    [InlineData("""{"lines":["coffee"]}""", true)]
    [InlineData("""{"confirmed":true}""", true)]
    [InlineData("""  {"txn":"x"}""", true)]
    [InlineData("{}", false)]
    [InlineData("""{"txn":""}""", false)]
    [InlineData("""{"txn":"   "}""", false)]
    [InlineData("""{"txn":null,"lines":[],"payment":{},"confirmed":false}""", false)]
    [InlineData("""["txn"]""", false)]
    [InlineData("\"txn-8d6b1a52\"", false)]
    [InlineData("txn-8d6b1a52", false)]
    [InlineData("""{"txn":""", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void A_unique_context_is_a_json_object_with_a_member_that_has_a_value(string? requestContext, bool unique) =>
        Assert.Equal(unique, FapiRules.HasUniqueContext(requestContext));

    [Fact]
    public void A_request_context_nested_too_deep_is_no_context_not_an_exception() =>
        Assert.False(FapiRules.HasUniqueContext("{\"a\":" + string.Concat(Enumerable.Repeat("{\"a\":", 40)) + "1" + new string('}', 41)));

    [Fact]
    public void Token_requests_must_end_in_sender_constrained_tokens()
    {
        Assert.Equal(ErrorCodes.InvalidRequest, FapiRules.CheckTokenRequest(FapiProfile.Fapi1Ciba, certificateBound: false, dpopProved: true)?.Error);
        Assert.Null(FapiRules.CheckTokenRequest(FapiProfile.Fapi1Ciba, certificateBound: true, dpopProved: false));

        Assert.Equal(ErrorCodes.InvalidDpopProof, FapiRules.CheckTokenRequest(FapiProfile.Fapi2Ciba, certificateBound: false, dpopProved: false)?.Error);
        Assert.Null(FapiRules.CheckTokenRequest(FapiProfile.Fapi2Ciba, certificateBound: false, dpopProved: true));
        Assert.Null(FapiRules.CheckTokenRequest(FapiProfile.Fapi2Ciba, certificateBound: true, dpopProved: false));
    }

    [Fact]
    public void The_profile_setting_is_checked_at_start_by_name()
    {
        var ciba = Options.Create(new CibaOptions());

        Assert.True(new FapiOptionsValidator(ciba).Validate(null, new FapiOptions()).Succeeded);
        Assert.Equal(FapiProfile.None, new FapiOptions().EffectiveProfile);
        Assert.Equal(FapiProfile.Fapi2Ciba, new FapiOptions { Profile = "Fapi2Ciba" }.EffectiveProfile);
        Assert.True(new FapiOptionsValidator(ciba).Validate(null, new FapiOptions { Profile = "Fapi1Ciba" }).Succeeded);

        var wrong = new FapiOptionsValidator(ciba).Validate(null, new FapiOptions { Profile = "Fapi3" });
        Assert.True(wrong.Failed);
        Assert.Equal("Backchannel:Fapi:Profile has 'Fapi3'; the profiles are None, Fapi1Ciba, Fapi2Ciba.", wrong.FailureMessage);
    }

    [Fact]
    public void A_fapi_profile_needs_ps256_or_es256_among_the_request_signing_algorithms()
    {
        var rs256Only = Options.Create(new CibaOptions { RequestSigningAlgorithms = ["RS256"] });

        var result = new FapiOptionsValidator(rs256Only).Validate(null, new FapiOptions { Profile = "Fapi1Ciba" });

        Assert.True(result.Failed);
        Assert.Contains("needs PS256 or ES256 among Backchannel:Ciba:RequestSigningAlgorithms", result.FailureMessage, StringComparison.Ordinal);
        Assert.True(new FapiOptionsValidator(rs256Only).Validate(null, new FapiOptions { Profile = "None" }).Succeeded);
    }
}
