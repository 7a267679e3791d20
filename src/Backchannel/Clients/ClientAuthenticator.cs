using Backchannel.Configuration;
using Backchannel.Protocol;
using Backchannel.Storage;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace Backchannel.Clients;

/// <summary>
/// Authenticates the client of a token or backchannel authentication request with its registered method:
/// client_secret_basic, client_secret_post or private_key_jwt (RFC 7523; aud may be the issuer, the token endpoint or
/// the backchannel authentication endpoint; a jti is accepted once).
/// </summary>
public sealed class ClientAuthenticator(
    IClientRegistry clients,
    ClientJwtValidator jwtValidator,
    IReplayCache replayCache,
    IOptions<BackchannelOptions> options,
    TimeProvider time)
{
    /// <summary>The longest assertion lifetime accepted, which bounds how long its jti is remembered.</summary>
    public static readonly TimeSpan MaxAssertionLifetime = TimeSpan.FromHours(1);

    public async ValueTask<ProtocolResult<Client>> AuthenticateAsync(ClientCredentials credentials, CancellationToken cancellationToken)
    {
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

        if (credentials.ClientId is null || clients.Find(credentials.ClientId) is not { } client)
        {
            return ProtocolError.InvalidClient("Unknown client or wrong credentials.");
        }

        if (client.AuthenticationMethod != credentials.Method)
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

        var token = ClientJwtValidator.Read(credentials.Assertion!);
        if (token is null)
        {
            return ProtocolError.InvalidClient("client_assertion is not a well-formed signed JWT.");
        }

        var clientId = credentials.ClientId ?? (token.TryGetPayloadValue<string>("iss", out var iss) ? iss : null);
        if (clientId is null || clients.Find(clientId) is not { } client)
        {
            return ProtocolError.InvalidClient("Unknown client.");
        }

        if (client.AuthenticationMethod != ClientAuthenticationMethods.PrivateKeyJwt)
        {
            return ProtocolError.InvalidClient($"The client is registered for {client.AuthenticationMethod}, not private_key_jwt.");
        }

        var issuer = options.Value.IssuerUri;
        var parameters = new TokenValidationParameters
        {
            ValidIssuer = client.ClientId,
            ValidAudiences = Endpoints.EndpointPaths.AssertionAudiences(issuer),
            RequireExpirationTime = true,
            ValidateLifetime = true,
            ClockSkew = TimeSpan.FromSeconds(30),
            LifetimeValidator = (notBefore, expires, _, _) => ValidLifetime(notBefore, expires),
        };
        var result = await jwtValidator.ValidateAsync(client, credentials.Assertion!, parameters, client.AssertionSigningAlgorithm, cancellationToken);
        if (!result.IsValid)
        {
            return ProtocolError.InvalidClient($"client_assertion is rejected: {ClientJwtValidator.Describe(result)}.");
        }

        var jwt = (Microsoft.IdentityModel.JsonWebTokens.JsonWebToken)result.SecurityToken;
        if (jwt.Subject != client.ClientId)
        {
            return ProtocolError.InvalidClient("client_assertion's sub must be the client_id.");
        }

        if (string.IsNullOrEmpty(jwt.Id))
        {
            return ProtocolError.InvalidClient("client_assertion must have a jti.");
        }

        if (!await replayCache.TryAddAsync($"assertion:{client.ClientId}:{jwt.Id}", jwt.ValidTo, cancellationToken))
        {
            return ProtocolError.InvalidClient("client_assertion was used before (jti replay).");
        }

        return client;
    }

    private bool ValidLifetime(DateTime? notBefore, DateTime? expires)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var skew = TimeSpan.FromSeconds(30);
        return expires is { } exp && exp + skew > now && exp - now <= MaxAssertionLifetime && (notBefore is not { } nbf || nbf - skew <= now);
    }
}
