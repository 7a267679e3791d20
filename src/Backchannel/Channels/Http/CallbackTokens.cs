using System.Collections.Concurrent;
using Backchannel.Abstractions;
using Backchannel.Domain;
using Backchannel.Keys;
using Backchannel.Protocol;

namespace Backchannel.Channels.Http;

/// <summary>
/// The callback token an authentication device presents at /ciba/callback: a JWT the provider signs (ES256) with
/// iss = issuer, aud = the callback URL, sub = the transaction id, exp = the request's expiry. It carries no auth_req_id.
/// Tokens this process issued are remembered by their SHA-256 until used or expired, so that checking one costs a hash,
/// not a signature verification; any other genuine token (issued by another node, or before a restart) is verified
/// against the keys in the store (<see cref="TransactionTokens"/>, for the audience of the callback URL). This is the http
/// channel's return path: a decision it carries names its request.
/// </summary>
public sealed class CallbackTokens(KeyManager keys, ProviderUrls urls, TimeProvider time)
{
    /// <summary>What verified a decision that came with a callback token (recorded with the decision).</summary>
    public const string Evidence = "callback_token";

    private readonly TransactionTokens _tokens = new(keys, urls, time);
    private readonly ConcurrentDictionary<string, IssuedToken> _issued = new(StringComparer.Ordinal);

    public string CallbackUrl => urls.DeviceCallback;

    public string Issue(AuthenticationRequest request)
    {
        var token = _tokens.Issue(request.Id, CallbackUrl, request.ExpiresAt, RandomIdentifiers.NewJwtId());
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

        // A genuine token of an expired request is answered expired_token; anything else is unauthorized.
        var validated = await _tokens.ValidateAsync(token, CallbackUrl, cancellationToken);
        return validated.TransactionId is { } transactionId ? new CallbackTokenResult(transactionId, validated.Expired) : default;
    }

    private static string Fingerprint(string token) => Convert.ToBase64String(SecretHash.Compute(token));

    private sealed record IssuedToken(string TransactionId, DateTimeOffset ExpiresAt, string DeliveryMode);
}

/// <summary>
/// The transaction a callback token names (null when the token is not genuine), whether it expired, and the request's
/// delivery mode when this process issued the token (null otherwise).
/// </summary>
public readonly record struct CallbackTokenResult(string? TransactionId, bool Expired, string? DeliveryMode = null);
