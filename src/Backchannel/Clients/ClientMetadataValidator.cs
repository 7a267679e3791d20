using System.Text.RegularExpressions;
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
        var offered = ClientAuthenticationMethods.Offered(settings.MtlsEnabled);
        if (ClientAuthenticationMethods.UsesCertificate(method) && !settings.MtlsEnabled)
        {
            errors.Add($"token_endpoint_auth_method '{method}' needs mutual TLS, which this provider has turned off (Mtls:Enabled is false)");
        }
        else if (!offered.Contains(method))
        {
            errors.Add($"token_endpoint_auth_method '{method}' is not supported (use {string.Join(", ", offered)})");
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
            errors.Add($"grant_types has '{grantType}', a grant type that is not supported (use {string.Join(", ", GrantTypes.Supported)})");
        }

        var mode = metadata.BackchannelTokenDeliveryMode;
        Uri? notificationEndpoint = null;
        if (mode is null)
        {
            // A client that cannot use the CIBA grant (an operator's client_credentials client) has no delivery mode to state.
            if (grantTypes.Contains(GrantTypes.Ciba))
            {
                errors.Add("backchannel_token_delivery_mode is required (poll, ping or push)");
            }
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

        var certificateSubject = CertificateSubject(metadata, method, errors);
        if (method == ClientAuthenticationMethods.SelfSignedTlsClientAuth && keys.Count == 0 && metadata.JwksUri is null)
        {
            errors.Add("self_signed_tls_client_auth needs the client's certificate keys in jwks or jwks_uri");
        }

        if (metadata.DpopBoundAccessTokens == true && !settings.DpopEnabled)
        {
            errors.Add("dpop_bound_access_tokens needs DPoP, which this provider has turned off (Dpop:Enabled is false)");
        }

        if (metadata.TlsClientCertificateBoundAccessTokens == true)
        {
            if (!settings.MtlsEnabled)
            {
                errors.Add("tls_client_certificate_bound_access_tokens needs mutual TLS, which this provider has turned off (Mtls:Enabled is false)");
            }

            if (metadata.DpopBoundAccessTokens == true)
            {
                errors.Add("an access token is bound one way: register dpop_bound_access_tokens or tls_client_certificate_bound_access_tokens, not both");
            }

            if (mode == DeliveryModes.Push)
            {
                errors.Add("tls_client_certificate_bound_access_tokens cannot be used in the push mode: pushed tokens are issued without a TLS connection of the client to bind them to");
            }
        }

        var fapiProfile = settings.FapiProfile;
        if (metadata.FapiProfile is { } profileName && !FapiProfiles.TryParse(profileName, out fapiProfile))
        {
            errors.Add($"fapi_profile '{Shorten(profileName)}' is unknown (use {string.Join(", ", FapiProfiles.Names)})");
        }

        errors.AddRange(FapiRules.ClientMetadataErrors(metadata, method, fapiProfile, settings.DpopEnabled));
        var idTokenAlgorithm = metadata.IdTokenSignedResponseAlg;
        if (fapiProfile != FapiProfile.None && idTokenAlgorithm is null)
        {
            // FAPI signs ID tokens with PS256 or ES256: the first of those the provider has a key for.
            idTokenAlgorithm = FapiRules.Algorithms.FirstOrDefault(settings.TokenSigningAlgorithms.Contains);
            if (idTokenAlgorithm is null)
            {
                errors.Add($"{FapiProfiles.Name(fapiProfile)} needs ID tokens signed with {string.Join(" or ", FapiRules.Algorithms)}, " +
                    $"and the provider's signing key offers only {string.Join(", ", settings.TokenSigningAlgorithms)} (Tokens:SigningKeyFile)");
            }
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
            else if (settings.SupportedScopes is { } supported && scopes.FirstOrDefault(s => !supported.Contains(s) && s != Scopes.Admin) is { } unknown)
            {
                errors.Add($"scope names '{unknown}', which this provider does not offer (Ciba:Scopes lists {string.Join(", ", supported.Order(StringComparer.Ordinal))})");
            }

            allowedScopes = scopes.Append(Scopes.OpenId).ToHashSet(StringComparer.Ordinal);
        }

        if (metadata.ClientName is { Length: > 200 })
        {
            errors.Add("client_name is longer than 200 characters");
        }

        ValidateUnusedRegistrationMembers(metadata, errors);
        var policy = ValidatePolicy(metadata, settings, hasKeys: keys.Count > 0 || metadata.JwksUri is not null, errors);
        var pairwiseSector = PairwiseSector(metadata, settings, method, mode, jwksUri, notificationEndpoint, errors);

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
            DeliveryMode = mode ?? DeliveryModes.Poll,
            NotificationEndpoint = notificationEndpoint,
            RequestSigningAlgorithm = metadata.BackchannelAuthenticationRequestSigningAlg,
            UserCodeParameter = metadata.BackchannelUserCodeParameter == true,
            IdTokenSigningAlgorithm = idTokenAlgorithm,
            Channels = channels,
            AllowedHintKinds = policy.AllowedHintKinds,
            LoginHintTokenTypes = policy.LoginHintTokenTypes,
            DefaultExpirySeconds = metadata.BackchannelDefaultExpirySeconds,
            MaxExpirySeconds = metadata.BackchannelMaxExpirySeconds,
            PollingIntervalSeconds = metadata.BackchannelPollingIntervalSeconds,
            BindingMessageRequired = metadata.BackchannelBindingMessageRequired == true,
            BindingMessagePattern = policy.BindingMessagePattern,
            PairwiseSector = pairwiseSector,
            IntrospectAnyToken = metadata.IntrospectAnyToken == true,
            DpopBoundAccessTokens = metadata.DpopBoundAccessTokens == true,
            CertificateSubject = certificateSubject,
            FapiProfile = fapiProfile,
            CertificateBoundAccessTokens = metadata.TlsClientCertificateBoundAccessTokens == true,
        };
        return new ClientValidationResult(client, [], WithoutSecret(metadata, method, grantTypes));
    }

    /// <summary>
    /// The sector identifier of a pairwise client (CIBA Core 4): the host of its notification endpoint in the push mode;
    /// in the poll and ping modes the host of sector_identifier_uri, or else of jwks_uri, whose keys the client must then
    /// prove it holds (private_key_jwt or signed requests). Null for a public client; a pairwise client without a sector
    /// is an error.
    /// </summary>
    private static string? PairwiseSector(ClientMetadata metadata, ClientValidationSettings settings, string method, string? mode,
        Uri? jwksUri, Uri? notificationEndpoint, List<string> errors)
    {
        Uri? sectorUri = null;
        if (metadata.SectorIdentifierUri is { } sectorIdentifierUri
            && (!Uri.TryCreate(sectorIdentifierUri, UriKind.Absolute, out sectorUri)
                || (sectorUri.Scheme != Uri.UriSchemeHttps && !(settings.AllowHttp && sectorUri.Scheme == Uri.UriSchemeHttp))
                || sectorUri.Host.Length == 0 || !string.IsNullOrEmpty(sectorUri.Fragment)))
        {
            errors.Add($"sector_identifier_uri must be an absolute {(settings.AllowHttp ? "http or https" : "https")} URL without a fragment");
            sectorUri = null;
        }

        var subjectType = metadata.SubjectType ?? SubjectTypes.Public;
        if (subjectType == SubjectTypes.Public)
        {
            return null;
        }

        if (subjectType != SubjectTypes.Pairwise)
        {
            errors.Add($"subject_type '{subjectType}' is not supported (use {string.Join(" or ", SubjectTypes.Supported)})");
            return null;
        }

        if (mode == DeliveryModes.Push)
        {
            // Without a valid notification endpoint the push mode's own error is reported already.
            return notificationEndpoint is null ? null : SectorOf(notificationEndpoint);
        }

        if (sectorUri is not null)
        {
            return SectorOf(sectorUri);
        }

        if (metadata.JwksUri is null)
        {
            if (metadata.SectorIdentifierUri is null)
            {
                errors.Add("subject_type pairwise needs sector_identifier_uri or jwks_uri in the poll and ping modes: " +
                    "the host of one of them is the sector identifier");
            }

            return null;
        }

        if (method is not (ClientAuthenticationMethods.PrivateKeyJwt or ClientAuthenticationMethods.SelfSignedTlsClientAuth)
            && metadata.BackchannelAuthenticationRequestSigningAlg is null)
        {
            errors.Add("subject_type pairwise with the sector identifier from jwks_uri needs proof that the client holds those keys: " +
                "token_endpoint_auth_method private_key_jwt or self_signed_tls_client_auth, or backchannel_authentication_request_signing_alg (or register sector_identifier_uri)");
        }

        return jwksUri is null ? null : SectorOf(jwksUri);
    }

    /// <summary>
    /// The subject of a tls_client_auth client (RFC 8705 2.1.2): exactly one of tls_client_auth_subject_dn and the
    /// tls_client_auth_san_* members, well formed; a client of another method registers none of them.
    /// </summary>
    private static TlsClientAuthSubject? CertificateSubject(ClientMetadata metadata, string method, List<string> errors)
    {
        (TlsClientAuthSubjectKind Kind, string? Value)[] members =
        [
            (TlsClientAuthSubjectKind.SubjectDn, metadata.TlsClientAuthSubjectDn),
            (TlsClientAuthSubjectKind.SanDns, metadata.TlsClientAuthSanDns),
            (TlsClientAuthSubjectKind.SanUri, metadata.TlsClientAuthSanUri),
            (TlsClientAuthSubjectKind.SanIp, metadata.TlsClientAuthSanIp),
            (TlsClientAuthSubjectKind.SanEmail, metadata.TlsClientAuthSanEmail),
        ];
        var present = members.Where(m => m.Value is not null).ToList();
        var names = string.Join(", ", members.Select(m => TlsClientAuthSubject.MemberName(m.Kind)));
        if (method != ClientAuthenticationMethods.TlsClientAuth)
        {
            if (present.Count > 0)
            {
                errors.Add($"{TlsClientAuthSubject.MemberName(present[0].Kind)} is only for token_endpoint_auth_method tls_client_auth");
            }

            return null;
        }

        if (present.Count != 1)
        {
            errors.Add(present.Count == 0
                ? $"tls_client_auth needs exactly one of {names}: how the client's certificate names it"
                : $"tls_client_auth takes exactly one of {names}; this client has {string.Join(", ", present.Select(m => TlsClientAuthSubject.MemberName(m.Kind)))}");
            return null;
        }

        var subject = TlsClientAuthSubject.Create(present[0].Kind, present[0].Value!);
        if (!subject.Succeeded)
        {
            errors.Add(subject.Error.Description);
            return null;
        }

        return subject.Value;
    }

    private static string SectorOf(Uri uri) => uri.IdnHost.ToLowerInvariant();

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
        TlsClientAuthSanDns = metadata.TlsClientAuthSanDns,
        TlsClientAuthSanUri = metadata.TlsClientAuthSanUri,
        TlsClientAuthSanIp = metadata.TlsClientAuthSanIp,
        TlsClientAuthSanEmail = metadata.TlsClientAuthSanEmail,
        TlsClientCertificateBoundAccessTokens = metadata.TlsClientCertificateBoundAccessTokens,
        Channels = metadata.Channels,
        RedirectUris = metadata.RedirectUris,
        ResponseTypes = metadata.ResponseTypes,
        BackchannelEndpointLoginHintTokenTypes = metadata.BackchannelEndpointLoginHintTokenTypes,
        BackchannelAllowedHintTypes = metadata.BackchannelAllowedHintTypes,
        BackchannelDefaultExpirySeconds = metadata.BackchannelDefaultExpirySeconds,
        BackchannelMaxExpirySeconds = metadata.BackchannelMaxExpirySeconds,
        BackchannelPollingIntervalSeconds = metadata.BackchannelPollingIntervalSeconds,
        BackchannelBindingMessageRequired = metadata.BackchannelBindingMessageRequired,
        BackchannelBindingMessagePattern = metadata.BackchannelBindingMessagePattern,
        SubjectType = metadata.SubjectType,
        SectorIdentifierUri = metadata.SectorIdentifierUri,
        IntrospectAnyToken = metadata.IntrospectAnyToken,
        DpopBoundAccessTokens = metadata.DpopBoundAccessTokens,
        FapiProfile = metadata.FapiProfile,
    };

    /// <summary>The longest backchannel_binding_message_pattern accepted.</summary>
    public const int MaxBindingMessagePatternLength = 256;

    /// <summary>redirect_uris and response_types: accepted and kept for RFC 7591 clients, though CIBA uses neither.</summary>
    private static void ValidateUnusedRegistrationMembers(ClientMetadata metadata, List<string> errors)
    {
        foreach (var uri in metadata.RedirectUris ?? [])
        {
            // A scheme of its own: .NET on Unix reads "/path" as an absolute file URI.
            var colon = uri.IndexOf(':', StringComparison.Ordinal);
            if (colon < 1 || !Uri.CheckSchemeName(uri[..colon]) || !Uri.TryCreate(uri, UriKind.Absolute, out var parsed)
                || parsed.Fragment.Length > 0 || uri.Length > 2048)
            {
                errors.Add($"redirect_uris has '{Shorten(uri)}', which is not an absolute URI without a fragment");
            }
        }

        if (metadata.ResponseTypes is { Count: > 0 })
        {
            errors.Add("response_types must be empty or absent: this provider has no authorization endpoint, and CIBA needs none");
        }
    }

    /// <summary>The client's policy of /bc-authorize: allowed hints, login_hint_token formats, expiry, interval, binding_message.</summary>
    private static ClientPolicy ValidatePolicy(ClientMetadata metadata, ClientValidationSettings settings, bool hasKeys, List<string> errors)
    {
        HashSet<UserHintKind>? hintKinds = null;
        if (metadata.BackchannelAllowedHintTypes is { } hintTypes)
        {
            hintKinds = [];
            foreach (var hintType in hintTypes)
            {
                if (HintTypes.Kind(hintType) is { } kind)
                {
                    hintKinds.Add(kind);
                }
                else
                {
                    errors.Add($"backchannel_allowed_hint_types has '{Shorten(hintType)}'; the hint types are {string.Join(", ", HintTypes.All)}");
                }
            }

            if (hintTypes.Count == 0)
            {
                errors.Add($"backchannel_allowed_hint_types must name at least one of {string.Join(", ", HintTypes.All)} (omit it to allow all)");
            }
        }

        HashSet<string>? tokenTypes = null;
        if (metadata.BackchannelEndpointLoginHintTokenTypes is { } registeredTypes)
        {
            tokenTypes = registeredTypes.ToHashSet(StringComparer.Ordinal);
            foreach (var type in registeredTypes.Where(t => !LoginHintTokenTypes.Supported.Contains(t)))
            {
                errors.Add($"backchannel_endpoint_login_hint_token_types has '{Shorten(type)}', which this provider does not support ({string.Join(", ", LoginHintTokenTypes.Supported)})");
            }

            if (registeredTypes.Count == 0)
            {
                errors.Add($"backchannel_endpoint_login_hint_token_types must name at least one of {string.Join(", ", LoginHintTokenTypes.Supported)} (omit it to allow all)");
            }
            else if (!hasKeys)
            {
                errors.Add("backchannel_endpoint_login_hint_token_types needs the client's public keys in jwks or jwks_uri, which verify its login_hint_tokens");
            }

            if (hintKinds is not null && !hintKinds.Contains(UserHintKind.LoginHintToken))
            {
                errors.Add("backchannel_endpoint_login_hint_token_types is set, but backchannel_allowed_hint_types does not allow login_hint_token");
            }
        }

        var maxExpiry = settings.MaxExpirySeconds;
        if (metadata.BackchannelMaxExpirySeconds is { } clientMax)
        {
            if (clientMax < 1 || clientMax > settings.MaxExpirySeconds)
            {
                errors.Add($"backchannel_max_expiry_seconds must be between 1 and {settings.MaxExpirySeconds} (Ciba:MaxExpirySeconds)");
            }
            else
            {
                maxExpiry = clientMax;
            }
        }

        if (metadata.BackchannelDefaultExpirySeconds is { } clientDefault && (clientDefault < 1 || clientDefault > maxExpiry))
        {
            errors.Add($"backchannel_default_expiry_seconds must be between 1 and {maxExpiry} (backchannel_max_expiry_seconds, else Ciba:MaxExpirySeconds)");
        }

        if (metadata.BackchannelPollingIntervalSeconds is { } interval && (interval < settings.PollingIntervalSeconds || interval > maxExpiry))
        {
            errors.Add($"backchannel_polling_interval_seconds must be between {settings.PollingIntervalSeconds} (Ciba:PollingIntervalSeconds: a client may poll less often, not more) and {maxExpiry}");
        }

        Regex? pattern = null;
        if (metadata.BackchannelBindingMessagePattern is { } patternText)
        {
            if (patternText.Length is 0 or > MaxBindingMessagePatternLength)
            {
                errors.Add($"backchannel_binding_message_pattern must have 1 to {MaxBindingMessagePatternLength} characters");
            }
            else
            {
                try
                {
                    // Anyone may register a pattern: the non-backtracking engine matches in linear time, and a match is bounded anyway.
                    pattern = new Regex(patternText, RegexOptions.NonBacktracking | RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100));
                }
                catch (Exception ex) when (ex is ArgumentException or NotSupportedException)
                {
                    errors.Add($"backchannel_binding_message_pattern is not a regular expression this provider accepts (.NET syntax, no backreferences or lookarounds): {ex.Message}");
                }
            }
        }

        return new ClientPolicy(hintKinds, tokenTypes, pattern);
    }

    private static string Shorten(string value) => value.Length > 60 ? value[..60] + "..." : value;

    private sealed record ClientPolicy(IReadOnlySet<UserHintKind>? AllowedHintKinds, IReadOnlySet<string>? LoginHintTokenTypes, Regex? BindingMessagePattern);
}

/// <summary>The validated client and its metadata as registered (without the secret), or every problem found.</summary>
public sealed record ClientValidationResult(Client? Client, IReadOnlyList<string> Errors, ClientMetadata? Metadata)
{
    /// <summary>The problems found, as one sentence (for an invalid_client_metadata answer).</summary>
    public string Describe() => string.Join("; ", Errors) + ".";
}
