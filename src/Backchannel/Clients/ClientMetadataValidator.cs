using Backchannel.Domain;
using Backchannel.Protocol;
using Microsoft.IdentityModel.Tokens;

namespace Backchannel.Clients;

/// <summary>
/// Validates client metadata (RFC 7591 and CIBA Core 1.0 section 4). One validator serves configured clients and
/// dynamic registration alike. Pure: the jwks_uri and the notification endpoint's host are checked again at use.
/// </summary>
public static class ClientMetadataValidator
{
    /// <summary>
    /// Turns metadata into a <see cref="Client"/>, or lists every problem found. The secret comes from the metadata
    /// (settings, registration) or, for a stored client, as its hash.
    /// </summary>
    public static ClientValidationResult Validate(ClientMetadata metadata, ClientValidationSettings settings, byte[]? storedSecretHash = null)
    {
        var errors = new List<string>();

        if (string.IsNullOrWhiteSpace(metadata.ClientId))
        {
            errors.Add("client_id is required");
        }
        else if (metadata.ClientId.Any(c => c < 0x20 || c > 0x7E) || metadata.ClientId.Contains(':'))
        {
            errors.Add("client_id must be printable ASCII without ':'");
        }

        var method = metadata.TokenEndpointAuthMethod ?? ClientAuthenticationMethods.ClientSecretBasic;
        if (!ClientAuthenticationMethods.Supported.Contains(method))
        {
            errors.Add($"token_endpoint_auth_method '{method}' is not supported (use {string.Join(", ", ClientAuthenticationMethods.Supported)})");
        }

        if (ClientAuthenticationMethods.UsesSecret(method) && string.IsNullOrEmpty(metadata.ClientSecret) && storedSecretHash is null)
        {
            errors.Add($"client_secret is required for {method}");
        }

        if (metadata.TokenEndpointAuthSigningAlg is { } assertionAlg && !SigningAlgorithms.IsAsymmetric(assertionAlg))
        {
            errors.Add($"token_endpoint_auth_signing_alg '{assertionAlg}' is not an accepted asymmetric algorithm");
        }

        var keys = ParseKeys(metadata.Jwks, errors);
        Uri? jwksUri = null;
        if (metadata.JwksUri is not null)
        {
            if (metadata.Jwks is not null)
            {
                errors.Add("jwks and jwks_uri must not both be present");
            }

            if (NotificationEndpointRules.Check(metadata.JwksUri, settings.AllowHttp, settings.AllowPrivateNetworks, out jwksUri) is { } problem)
            {
                errors.Add($"jwks_uri {problem}");
            }
        }

        if (method == ClientAuthenticationMethods.PrivateKeyJwt && keys.Count == 0 && metadata.JwksUri is null)
        {
            errors.Add("private_key_jwt needs the client's public keys in jwks or jwks_uri");
        }

        var grantTypes = metadata.GrantTypes is { Count: > 0 } registered
            ? registered.ToHashSet(StringComparer.Ordinal)
            : [GrantTypes.Ciba, GrantTypes.RefreshToken];
        foreach (var grantType in grantTypes.Where(g => !GrantTypes.Supported.Contains(g)))
        {
            errors.Add($"grant type '{grantType}' is not supported (use {string.Join(", ", GrantTypes.Supported)})");
        }

        var mode = metadata.BackchannelTokenDeliveryMode;
        Uri? notificationEndpoint = null;
        if (mode is null)
        {
            errors.Add("backchannel_token_delivery_mode is required (poll, ping or push)");
        }
        else if (!DeliveryModes.IsKnown(mode))
        {
            errors.Add($"backchannel_token_delivery_mode '{mode}' is unknown (poll, ping or push)");
        }
        else if (!settings.DeliveryModes.Contains(mode))
        {
            errors.Add($"backchannel_token_delivery_mode '{mode}' is not enabled on this provider (Ciba:DeliveryModes allows {string.Join(", ", settings.DeliveryModes)})");
        }
        else
        {
            if (mode is DeliveryModes.Poll or DeliveryModes.Ping && !grantTypes.Contains(GrantTypes.Ciba))
            {
                errors.Add($"grant_types must include {GrantTypes.Ciba} for the {mode} mode");
            }

            if (DeliveryModes.Notifies(mode))
            {
                if (metadata.BackchannelClientNotificationEndpoint is null)
                {
                    errors.Add($"backchannel_client_notification_endpoint is required for the {mode} mode");
                }
                else if (NotificationEndpointRules.Check(metadata.BackchannelClientNotificationEndpoint, settings.AllowHttp,
                             settings.AllowPrivateNetworks, out notificationEndpoint) is { } problem)
                {
                    errors.Add($"backchannel_client_notification_endpoint {problem}");
                }
            }
        }

        if (metadata.BackchannelAuthenticationRequestSigningAlg is { } requestAlg)
        {
            if (!SigningAlgorithms.IsAsymmetric(requestAlg) || !settings.RequestSigningAlgorithms.Contains(requestAlg))
            {
                errors.Add($"backchannel_authentication_request_signing_alg '{requestAlg}' is not accepted (use {string.Join(", ", settings.RequestSigningAlgorithms)})");
            }
            else if (keys.Count == 0 && metadata.JwksUri is null)
            {
                errors.Add("signed authentication requests need the client's public keys in jwks or jwks_uri");
            }
        }

        if (metadata.BackchannelUserCodeParameter == true && !settings.UserCodeSupported)
        {
            errors.Add("backchannel_user_code_parameter is not supported by this provider (Ciba:UserCodeSupported is false)");
        }

        if (metadata.IdTokenSignedResponseAlg is { } idTokenAlg && !settings.TokenSigningAlgorithms.Contains(idTokenAlg))
        {
            errors.Add(SigningAlgorithms.TokenSigning.Contains(idTokenAlg)
                ? $"id_token_signed_response_alg '{idTokenAlg}' is not available: the signing key comes from Tokens:SigningKeyFile ({string.Join(", ", settings.TokenSigningAlgorithms)})"
                : $"id_token_signed_response_alg '{idTokenAlg}' is not supported (use {string.Join(", ", settings.TokenSigningAlgorithms)})");
        }

        if (metadata.TlsClientAuthSubjectDn is not null)
        {
            errors.Add("tls_client_auth_subject_dn is not accepted: mutual-TLS client authentication is not available in this version");
        }

        if (metadata.DpopBoundAccessTokens == true && !settings.DpopEnabled)
        {
            errors.Add("dpop_bound_access_tokens needs DPoP, which this provider has turned off (Dpop:Enabled is false)");
        }

        var channels = metadata.Channels ?? [];
        foreach (var channel in channels.Where(c => settings.Channels is { } known && !known.Contains(c)))
        {
            errors.Add($"channels names '{channel}', which is not a configured channel ({string.Join(", ", settings.Channels!)})");
        }

        IReadOnlySet<string>? allowedScopes = null;
        if (!string.IsNullOrWhiteSpace(metadata.Scope))
        {
            var scopes = Scopes.Parse(metadata.Scope);
            if (scopes.Any(s => !Scopes.IsValidToken(s)))
            {
                errors.Add("scope has characters RFC 6749 does not allow");
            }
            else if (settings.SupportedScopes is { } supported && scopes.FirstOrDefault(s => !supported.Contains(s)) is { } unknown)
            {
                errors.Add($"scope names '{unknown}', which this provider does not offer (Ciba:Scopes lists {string.Join(", ", supported.Order(StringComparer.Ordinal))})");
            }

            allowedScopes = scopes.Append(Scopes.OpenId).ToHashSet(StringComparer.Ordinal);
        }

        if (metadata.ClientName is { Length: > 200 })
        {
            errors.Add("client_name is longer than 200 characters");
        }

        if (errors.Count > 0)
        {
            return new ClientValidationResult(null, errors, null);
        }

        var client = new Client
        {
            ClientId = metadata.ClientId!,
            ClientName = metadata.ClientName,
            AuthenticationMethod = method,
            RequireAuthenticationMethod = metadata.RequireTokenEndpointAuthMethod == true,
            SecretHash = !ClientAuthenticationMethods.UsesSecret(method) ? null
                : metadata.ClientSecret is { Length: > 0 } secret ? SecretHash.Compute(secret) : storedSecretHash,
            AssertionSigningAlgorithm = metadata.TokenEndpointAuthSigningAlg,
            Keys = keys,
            JwksUri = jwksUri,
            GrantTypes = grantTypes,
            AllowedScopes = allowedScopes,
            DeliveryMode = mode!,
            NotificationEndpoint = notificationEndpoint,
            RequestSigningAlgorithm = metadata.BackchannelAuthenticationRequestSigningAlg,
            UserCodeParameter = metadata.BackchannelUserCodeParameter == true,
            IdTokenSigningAlgorithm = metadata.IdTokenSignedResponseAlg,
            Channels = channels,
            DpopBoundAccessTokens = metadata.DpopBoundAccessTokens == true,
        };
        return new ClientValidationResult(client, [], WithoutSecret(metadata, method, grantTypes));
    }

    private static List<JsonWebKey> ParseKeys(JwksDocument? jwks, List<string> errors)
    {
        var keys = new List<JsonWebKey>();
        if (jwks is null)
        {
            return keys;
        }

        for (var i = 0; i < jwks.Keys.Count; i++)
        {
            var members = jwks.Keys[i];
            try
            {
                var key = JwkMembers.ToJsonWebKey(members);
                if (key.Kty is not (JsonWebAlgorithmsKeyTypes.RSA or JsonWebAlgorithmsKeyTypes.EllipticCurve))
                {
                    errors.Add($"jwks key {i} has kty '{key.Kty}'; only RSA and EC keys are accepted");
                }
                else if (key.HasPrivateKey || members.Keys.Any(m => m is "d" or "p" or "q" or "dp" or "dq" or "qi" or "oth" or "k"))
                {
                    errors.Add($"jwks key {i} contains private key material; register the public key only");
                }
                else if (key.Kty == JsonWebAlgorithmsKeyTypes.RSA && key.KeySize < 2048)
                {
                    errors.Add($"jwks key {i} is an RSA key shorter than 2048 bits");
                }
                else
                {
                    keys.Add(key);
                }
            }
            catch (ArgumentException ex)
            {
                errors.Add($"jwks key {i} is not a valid JWK: {ex.Message}");
            }
        }

        if (jwks.Keys.Count == 0)
        {
            errors.Add("jwks has no keys");
        }

        return keys;
    }

    private static ClientMetadata WithoutSecret(ClientMetadata metadata, string method, IReadOnlySet<string> grantTypes) => new()
    {
        ClientId = metadata.ClientId,
        ClientName = metadata.ClientName,
        TokenEndpointAuthMethod = method,
        RequireTokenEndpointAuthMethod = metadata.RequireTokenEndpointAuthMethod,
        TokenEndpointAuthSigningAlg = metadata.TokenEndpointAuthSigningAlg,
        Jwks = metadata.Jwks,
        JwksUri = metadata.JwksUri,
        GrantTypes = grantTypes.ToList(),
        Scope = metadata.Scope,
        BackchannelTokenDeliveryMode = metadata.BackchannelTokenDeliveryMode,
        BackchannelClientNotificationEndpoint = metadata.BackchannelClientNotificationEndpoint,
        BackchannelAuthenticationRequestSigningAlg = metadata.BackchannelAuthenticationRequestSigningAlg,
        BackchannelUserCodeParameter = metadata.BackchannelUserCodeParameter,
        IdTokenSignedResponseAlg = metadata.IdTokenSignedResponseAlg,
        TlsClientAuthSubjectDn = metadata.TlsClientAuthSubjectDn,
        Channels = metadata.Channels,
        DpopBoundAccessTokens = metadata.DpopBoundAccessTokens,
    };
}

/// <summary>The validated client and its metadata as registered (without the secret), or every problem found.</summary>
public sealed record ClientValidationResult(Client? Client, IReadOnlyList<string> Errors, ClientMetadata? Metadata);
