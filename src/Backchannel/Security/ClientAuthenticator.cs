using Backchannel.Abstractions;
using Backchannel.Clients;
using Backchannel.Diagnostics;
using Backchannel.Domain;
using Backchannel.Protocol;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Backchannel.Security;

/// <summary>
/// Authenticates the client of a token or backchannel authentication request with its registered method:
/// client_secret_basic or client_secret_post (either one, for a client with a secret, unless it registered
/// <c>require_token_endpoint_auth_method</c>), or private_key_jwt (RFC 7523; aud may be the issuer, the token endpoint,
/// the backchannel authentication endpoint, or the revocation or introspection endpoint; a jti is accepted once, and
/// remembered as long as the assertion could be accepted), or a client certificate alone (RFC 8705: tls_client_auth with
/// <see cref="TlsClientAuthVerifier"/>, self_signed_tls_client_auth with <see cref="SelfSignedCertificateVerifier"/>). A failure carries its reason for the log; the client is told
/// only <see cref="Failed"/>.
/// </summary>
public sealed class ClientAuthenticator(
    ClientCatalog clients,
    ClientJwtValidator jwtValidator,
    TlsClientAuthVerifier tlsClientAuth,
    SelfSignedCertificateVerifier selfSignedTlsClientAuth,
    IReplayCache replayCache,
    ProviderUrls urls,
    IOptions<ProviderOptions> provider,
    IOptions<MtlsOptions> mtls,
    AuditLog audit,
    TimeProvider time)
{
    /// <summary>The longest assertion lifetime accepted, which bounds how long its jti is remembered.</summary>
    public static readonly TimeSpan MaxAssertionLifetime = TimeSpan.FromHours(1);

    /// <summary>What a client whose authentication failed is told, whatever the reason (unknown client, wrong method, bad secret, ...).</summary>
    public static readonly ProtocolError Failed = ProtocolError.InvalidClient("Client authentication failed.");

    /// <summary>
    /// The audiences a client assertion may name: the provider's (<see cref="ProviderUrls.ClientAssertionAudiences"/>) and,
    /// with mutual TLS, the endpoint aliases where the client posts it (RFC 8705 5).
    /// </summary>
    private readonly IReadOnlyList<string> _assertionAudiences = mtls.Value is { Enabled: true, BaseUrl: { Length: > 0 } } m
        ? [.. urls.ClientAssertionAudiences, m.Alias(EndpointPaths.Token), m.Alias(EndpointPaths.BackchannelAuthentication),
            m.Alias(EndpointPaths.Revocation), m.Alias(EndpointPaths.Introspection)]
        : urls.ClientAssertionAudiences;

    public async ValueTask<ProtocolResult<Client>> AuthenticateAsync(ClientCredentials credentials, CancellationToken cancellationToken)
    {
        if (credentials.ByCertificate)
        {
            return await AuthenticateWithCertificateAsync(credentials, cancellationToken);
        }

        if (credentials.Method is null)
        {
            return ProtocolError.InvalidClient(credentials.ClientId is null
                ? "Client authentication is required."
                : "Client authentication is required: this provider has no public clients.");
        }

        if (credentials.Method == ClientAuthenticationMethods.PrivateKeyJwt)
        {
            return await AuthenticateWithAssertionAsync(credentials, cancellationToken);
        }

        if (credentials.ClientId is null || await clients.FindAsync(credentials.ClientId, cancellationToken) is not { } client)
        {
            return ProtocolError.InvalidClient("Unknown client or wrong credentials.");
        }

        if (client.AuthenticationMethod != credentials.Method
            && (client.RequireAuthenticationMethod || !ClientAuthenticationMethods.UsesSecret(client.AuthenticationMethod)))
        {
            return ProtocolError.InvalidClient($"The client is registered for {client.AuthenticationMethod}, not {credentials.Method}.");
        }

        if (client.SecretHash is null || !SecretHash.Matches(credentials.Secret ?? string.Empty, client.SecretHash))
        {
            return ProtocolError.InvalidClient("Unknown client or wrong credentials.");
        }

        return client;
    }

    private async ValueTask<ProtocolResult<Client>> AuthenticateWithAssertionAsync(ClientCredentials credentials, CancellationToken cancellationToken)
    {
        if (credentials.AssertionType != ClientAuthenticationMethods.JwtBearerAssertionType)
        {
            return ProtocolError.InvalidClient($"client_assertion_type must be {ClientAuthenticationMethods.JwtBearerAssertionType}.");
        }

        if (ClientJwtValidator.Inspect(credentials.Assertion!, out var token) is { } malformed)
        {
            return ProtocolError.InvalidClient($"client_assertion is refused: {malformed}.");
        }

        var clientId = credentials.ClientId ?? (token!.TryGetPayloadValue<string>("iss", out var iss) ? iss : null);
        if (clientId is null || await clients.FindAsync(clientId, cancellationToken) is not { } client)
        {
            return ProtocolError.InvalidClient("Unknown client.");
        }

        if (client.AuthenticationMethod != ClientAuthenticationMethods.PrivateKeyJwt)
        {
            return ProtocolError.InvalidClient($"The client is registered for {client.AuthenticationMethod}, not private_key_jwt.");
        }

        // FAPI: PS256 or ES256 only (an RS256 assertion fails even with the client's own key).
        if (FapiRules.CheckAssertionAlgorithm(client.FapiProfile, token!.Alg) is { } fapiRefused)
        {
            return fapiRefused;
        }

        var skew = provider.Value.ClockSkew;
        var parameters = new TokenValidationParameters
        {
            ValidIssuer = client.ClientId,
            ValidAudiences = _assertionAudiences,
            RequireExpirationTime = true,
            ValidateLifetime = true,
            ClockSkew = skew,
            LifetimeValidator = (notBefore, expires, _, _) => ValidLifetime(notBefore, expires, skew),
        };
        var result = await jwtValidator.ValidateAsync(client, credentials.Assertion!, parameters, client.AssertionSigningAlgorithm, cancellationToken);
        if (!result.IsValid)
        {
            return ProtocolError.InvalidClient($"client_assertion is rejected: {ClientJwtValidator.Describe(result)}.");
        }

        var jwt = (JsonWebToken)result.SecurityToken;
        if (jwt.Subject != client.ClientId)
        {
            return ProtocolError.InvalidClient("client_assertion's sub must be the client_id.");
        }

        if (string.IsNullOrEmpty(jwt.Id))
        {
            return ProtocolError.InvalidClient("client_assertion must have a jti.");
        }

        // Remembered until the assertion could no longer be accepted: its exp plus the clock skew (RFC 7523 3).
        if (!await replayCache.TryAddAsync($"assertion:{client.ClientId}:{jwt.Id}", new DateTimeOffset(jwt.ValidTo, TimeSpan.Zero) + skew, cancellationToken))
        {
            audit.ReplayRefused("client_assertion", client.ClientId);
            return ProtocolError.InvalidClient("client_assertion was used before (jti replay).");
        }

        return client;
    }

    private async ValueTask<ProtocolResult<Client>> AuthenticateWithCertificateAsync(ClientCredentials credentials, CancellationToken cancellationToken)
    {
        if (await clients.FindAsync(credentials.ClientId!, cancellationToken) is not { } client)
        {
            return ProtocolError.InvalidClient("Unknown client.");
        }

        var problem = client.AuthenticationMethod switch
        {
            ClientAuthenticationMethods.TlsClientAuth => tlsClientAuth.Problem(client, credentials.Certificate!),
            ClientAuthenticationMethods.SelfSignedTlsClientAuth =>
                await selfSignedTlsClientAuth.ProblemAsync(client, credentials.Certificate!, cancellationToken),
            _ => $"The client is registered for {client.AuthenticationMethod}; a client certificate alone does not authenticate it",
        };
        return problem is null ? client : ProtocolError.InvalidClient(problem);
    }

    private bool ValidLifetime(DateTime? notBefore, DateTime? expires, TimeSpan skew)
    {
        var now = time.GetUtcNow().UtcDateTime;
        return expires is { } exp && exp + skew > now && exp - now <= MaxAssertionLifetime && (notBefore is not { } nbf || nbf - skew <= now);
    }
}
