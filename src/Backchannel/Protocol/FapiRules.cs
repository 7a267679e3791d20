using System.Text.Json;

namespace Backchannel.Protocol;

/// <summary>
/// What a FAPI-CIBA profile demands of a client and of its requests (FAPI-CIBA on FAPI 1.0 Advanced or on the FAPI 2.0
/// Security Profile): confidential clients authenticating with private_key_jwt or mutual TLS, PS256 or ES256 JWTs, signed
/// authentication requests (FAPI 1.0 only), a binding_message or a unique request_context, no push mode, and
/// sender-constrained access tokens (mutual TLS under FAPI 1.0; mutual TLS or DPoP under FAPI 2.0). Pure: no I/O, no clock.
/// Every method answers null (or nothing) for <see cref="FapiProfile.None"/>.
/// </summary>
public static class FapiRules
{
    /// <summary>The client authentication methods FAPI allows: private_key_jwt and the two mutual-TLS methods (RFC 8705 2).</summary>
    public static readonly IReadOnlyList<string> AuthenticationMethods =
        [ClientAuthenticationMethods.PrivateKeyJwt, ClientAuthenticationMethods.TlsClientAuth, ClientAuthenticationMethods.SelfSignedTlsClientAuth];

    /// <summary>The JWS algorithms FAPI allows for client assertions, request objects and ID tokens.</summary>
    public static readonly IReadOnlyList<string> Algorithms = [SigningAlgorithms.PS256, SigningAlgorithms.ES256];

    /// <summary>The shortest RSA key FAPI accepts (the provider refuses shorter client keys under any profile).</summary>
    public const int MinRsaKeyBits = 2048;

    /// <summary>
    /// The problems of a client's metadata under <paramref name="profile"/>. <paramref name="method"/> is the effective
    /// token_endpoint_auth_method; <paramref name="dpopEnabled"/> whether the provider accepts DPoP proofs.
    /// </summary>
    public static IEnumerable<string> ClientMetadataErrors(ClientMetadata metadata, string method, FapiProfile profile, bool dpopEnabled)
    {
        if (profile == FapiProfile.None)
        {
            yield break;
        }

        var name = FapiProfiles.Name(profile);
        if (!AuthenticationMethods.Contains(method))
        {
            yield return $"{name} allows only confidential clients authenticating with {string.Join(", ", AuthenticationMethods)}, not {method}";
        }

        foreach (var (member, alg) in new[]
                 {
                     ("token_endpoint_auth_signing_alg", metadata.TokenEndpointAuthSigningAlg),
                     ("backchannel_authentication_request_signing_alg", metadata.BackchannelAuthenticationRequestSigningAlg),
                     ("id_token_signed_response_alg", metadata.IdTokenSignedResponseAlg),
                 })
        {
            if (alg is not null && !Algorithms.Contains(alg))
            {
                yield return $"{member} '{alg}' is not allowed under {name} (use {string.Join(" or ", Algorithms)})";
            }
        }

        if (profile == FapiProfile.Fapi1Ciba && metadata.Jwks is null && metadata.JwksUri is null)
        {
            yield return $"{name} requires signed authentication requests: register the client's public keys in jwks or jwks_uri";
        }

        if (metadata.BackchannelTokenDeliveryMode == DeliveryModes.Push)
        {
            yield return $"{name} does not allow the push mode (use poll or ping)";
        }

        var certificateBound = metadata.TlsClientCertificateBoundAccessTokens == true;
        if (profile == FapiProfile.Fapi1Ciba && !certificateBound)
        {
            yield return $"{name} requires certificate-bound access tokens: register tls_client_certificate_bound_access_tokens true";
        }

        if (profile == FapiProfile.Fapi2Ciba && !certificateBound && !dpopEnabled)
        {
            yield return $"{name} requires sender-constrained access tokens: register tls_client_certificate_bound_access_tokens true " +
                "(DPoP, the other way, is turned off: Dpop:Enabled is false)";
        }
    }

    /// <summary>The algorithm of a client assertion: PS256 or ES256 under FAPI (invalid_client otherwise).</summary>
    public static ProtocolError? CheckAssertionAlgorithm(FapiProfile profile, string? alg) =>
        profile == FapiProfile.None || Algorithms.Contains(alg ?? string.Empty) ? null
            : ProtocolError.InvalidClient($"client_assertion is signed with {alg}; {FapiProfiles.Name(profile)} accepts {string.Join(" or ", Algorithms)} only.");

    /// <summary>The algorithm of a request object: PS256 or ES256 under FAPI (invalid_request otherwise).</summary>
    public static ProtocolError? CheckRequestObjectAlgorithm(FapiProfile profile, string? alg) =>
        profile == FapiProfile.None || Algorithms.Contains(alg ?? string.Empty) ? null
            : ProtocolError.InvalidRequest($"The request object is signed with {alg}; {FapiProfiles.Name(profile)} accepts {string.Join(" or ", Algorithms)} only.");

    /// <summary>An authentication request without a request object: refused under FAPI 1.0 (FAPI-CIBA 5.2.2).</summary>
    public static ProtocolError? CheckUnsignedRequest(FapiProfile profile) =>
        profile != FapiProfile.Fapi1Ciba ? null
            : ProtocolError.InvalidRequest("Fapi1Ciba requires signed authentication requests: send the parameters in a request object (the request parameter).");

    /// <summary>
    /// The FAPI rules of an authentication request once its parameters are read: no push client, and a binding_message
    /// unless the request_context carries a unique context (<see cref="HasUniqueContext"/>).
    /// </summary>
    public static ProtocolError? CheckAuthenticationRequest(FapiProfile profile, string deliveryMode, string? bindingMessage, string? requestContext)
    {
        if (profile == FapiProfile.None)
        {
            return null;
        }

        if (deliveryMode == DeliveryModes.Push)
        {
            return ProtocolError.UnauthorizedClient($"{FapiProfiles.Name(profile)} does not allow the push mode.");
        }

        if (string.IsNullOrEmpty(bindingMessage) && !HasUniqueContext(requestContext))
        {
            return new ProtocolError(ErrorCodes.InvalidBindingMessage,
                $"{FapiProfiles.Name(profile)} requires a binding_message, unless request_context is a JSON object with at least one member " +
                "that has a value (a non-empty string, a number, true, or a non-empty object or array).");
        }

        return null;
    }

    /// <summary>
    /// Whether <paramref name="requestContext"/> carries a unique context, which stands in for a binding_message under
    /// FAPI: a JSON object (the request_context parameter's text, or the claim of a request object) with at least one
    /// member whose value is a non-empty string, a number, true, or a non-empty object or array. The provider cannot know
    /// that the context is unique among the user's requests; the client that sends one states that it is.
    /// </summary>
    public static bool HasUniqueContext(string? requestContext)
    {
        if (string.IsNullOrWhiteSpace(requestContext) || requestContext.TrimStart()[0] != '{')
        {
            return false;
        }

        try
        {
            using var document = JsonDocument.Parse(requestContext, new JsonDocumentOptions { MaxDepth = 16 });
            foreach (var member in document.RootElement.EnumerateObject())
            {
                if (member.Value.ValueKind switch
                    {
                        JsonValueKind.String => member.Value.GetString()!.Trim().Length > 0,
                        JsonValueKind.Number or JsonValueKind.True => true,
                        JsonValueKind.Object => member.Value.EnumerateObject().Any(),
                        JsonValueKind.Array => member.Value.GetArrayLength() > 0,
                        _ => false,
                    })
                {
                    return true;
                }
            }

            return false;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>
    /// A token request (CIBA or refresh grant) under FAPI must end in a sender-constrained access token.
    /// <paramref name="certificateBound"/>: the token will be bound to the client certificate of the request's mutual-TLS
    /// connection (RFC 8705 3; the client registered tls_client_certificate_bound_access_tokens and presented its
    /// certificate); <paramref name="dpopProved"/>: to the key of a verified DPoP proof (RFC 9449). Under Fapi1Ciba only the
    /// certificate binding counts (invalid_request otherwise); under Fapi2Ciba either does (otherwise invalid_dpop_proof,
    /// the error RFC 9449 gives a token request whose proof is missing where one is needed).
    /// </summary>
    public static ProtocolError? CheckTokenRequest(FapiProfile profile, bool certificateBound, bool dpopProved) => profile switch
    {
        FapiProfile.Fapi1Ciba when !certificateBound => ProtocolError.InvalidRequest(
            "Fapi1Ciba requires certificate-bound access tokens: the client must register tls_client_certificate_bound_access_tokens " +
            "and send the token request over mutual TLS with its certificate (the token_endpoint of mtls_endpoint_aliases)."),
        FapiProfile.Fapi2Ciba when !certificateBound && !dpopProved => new ProtocolError(ErrorCodes.InvalidDpopProof,
            "Fapi2Ciba requires sender-constrained access tokens: send a DPoP proof (the DPoP header), or use a client registered for " +
            "certificate-bound tokens over mutual TLS."),
        _ => null,
    };
}
