using System.Buffers;
using System.Collections.Concurrent;
using System.Text.Json;
using Backchannel.Abstractions;
using Backchannel.Domain;
using Backchannel.Keys;
using Backchannel.Protocol;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Backchannel.Channels.Http;

/// <summary>
/// The callback token an authentication device presents at /ciba/callback: a JWT the provider signs (ES256) with
/// iss = issuer, aud = the callback URL, sub = the transaction id, exp = the request's expiry. It carries no auth_req_id.
/// Tokens this process issued are remembered by their SHA-256 until used or expired, so that checking one costs a hash,
/// not a signature verification; any other genuine token (issued by another node, or before a restart) is verified
/// against the keys in the store. This is the http channel's return path: a decision it carries names its request.
/// </summary>
public sealed class CallbackTokens(KeyManager keys, ProviderUrls urls, TimeProvider time)
{
    /// <summary>What verified a decision that came with a callback token (recorded with the decision).</summary>
    public const string Evidence = "callback_token";

    private readonly JsonWebTokenHandler _handler = new() { MapInboundClaims = false };
    private readonly ConcurrentDictionary<string, IssuedToken> _issued = new(StringComparer.Ordinal);

    public string CallbackUrl => urls.DeviceCallback;

    public string Issue(AuthenticationRequest request)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, JwtJson.WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("iss", urls.Issuer);
            writer.WriteString("aud", CallbackUrl);
            writer.WriteString("sub", request.Id);
            writer.WriteNumber("iat", time.GetUtcNow().ToUnixTimeSeconds());
            writer.WriteNumber("exp", request.ExpiresAt.ToUnixTimeSeconds());
            writer.WriteString("jti", RandomIdentifiers.NewJwtId());
            writer.WriteEndObject();
        }

        var token = JwsWriter.Sign(keys.Current.CallbackSigningKey, "JWT", buffer.WrittenSpan);
        _issued[Fingerprint(token)] = new IssuedToken(request.Id, request.ExpiresAt, request.DeliveryMode);
        return token;
    }

    /// <summary>The token was used (its decision recorded): checking it again takes the full verification.</summary>
    public void Forget(string token) => _issued.TryRemove(Fingerprint(token), out _);

    /// <summary>Drops remembered tokens that expired.</summary>
    public void ForgetExpired(DateTimeOffset now)
    {
        foreach (var (fingerprint, issued) in _issued)
        {
            if (issued.ExpiresAt <= now)
            {
                _issued.TryRemove(fingerprint, out _);
            }
        }
    }

    /// <summary>Validates a callback token; the transaction id, or why it is refused.</summary>
    public async Task<CallbackTokenResult> ValidateAsync(string token, CancellationToken cancellationToken)
    {
        if (_issued.TryGetValue(Fingerprint(token), out var issued))
        {
            return new CallbackTokenResult(issued.TransactionId, Expired: issued.ExpiresAt <= time.GetUtcNow(), issued.DeliveryMode);
        }

        var result = await _handler.ValidateTokenAsync(token, Parameters(checkLifetime: true));
        if (result.Exception is SecurityTokenSignatureKeyNotFoundException && KeyIdOf(token) is { } keyId
            && await keys.ReloadIfUnknownAsync(ring => ring.Publishes(keyId), cancellationToken))
        {
            result = await _handler.ValidateTokenAsync(token, Parameters(checkLifetime: true));
        }

        if (result.IsValid)
        {
            return new CallbackTokenResult(((JsonWebToken)result.SecurityToken).Subject, Expired: false);
        }

        if (result.Exception is not SecurityTokenInvalidLifetimeException)
        {
            return default;
        }

        // A genuine token of an expired request is answered expired_token; anything else is unauthorized.
        var genuine = await _handler.ValidateTokenAsync(token, Parameters(checkLifetime: false));
        return genuine.IsValid ? new CallbackTokenResult(((JsonWebToken)genuine.SecurityToken).Subject, Expired: true) : default;
    }

    private static string Fingerprint(string token) => Convert.ToBase64String(SecretHash.Compute(token));

    private static string? KeyIdOf(string token)
    {
        try
        {
            return new JsonWebToken(token).Kid;
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    private sealed record IssuedToken(string TransactionId, DateTimeOffset ExpiresAt, string DeliveryMode);

    private TokenValidationParameters Parameters(bool checkLifetime) => new()
    {
        ValidIssuer = urls.Issuer,
        ValidAudience = CallbackUrl,
        IssuerSigningKeys = keys.Current.CallbackVerificationKeys,
        ValidAlgorithms = [SigningAlgorithms.ES256],
        RequireSignedTokens = true,
        RequireExpirationTime = true,
        ValidateLifetime = checkLifetime,
        LifetimeValidator = checkLifetime ? (_, expires, _, _) => expires is { } exp && exp > time.GetUtcNow().UtcDateTime : null,
    };
}

/// <summary>
/// The transaction a callback token names (null when the token is not genuine), whether it expired, and the request's
/// delivery mode when this process issued the token (null otherwise).
/// </summary>
public readonly record struct CallbackTokenResult(string? TransactionId, bool Expired, string? DeliveryMode = null);
