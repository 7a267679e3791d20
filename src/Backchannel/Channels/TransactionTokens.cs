using System.Buffers;
using System.Text.Json;
using Backchannel.Abstractions;
using Backchannel.Keys;
using Backchannel.Protocol;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Backchannel.Channels;

/// <summary>
/// JWTs the provider signs (ES256, with the device-callback key) that name one request by its transaction id, for one
/// audience, the URL of a channel's return path: iss = issuer, aud = that URL, sub = the transaction id, jti, exp. They
/// never carry the auth_req_id. The http channel's callback tokens and the e-mail channel's links are such tokens, each
/// for its own audience, so that one is never accepted as the other. A token signed with a key this node does not know
/// yet (another node created it) makes the node read its keys again.
/// </summary>
public sealed class TransactionTokens(KeyManager keys, ProviderUrls urls, TimeProvider time)
{
    private readonly JsonWebTokenHandler _handler = new() { MapInboundClaims = false };

    /// <summary>A signed token naming <paramref name="transactionId"/> for <paramref name="audience"/>, valid until <paramref name="expiresAt"/>.</summary>
    public string Issue(string transactionId, string audience, DateTimeOffset expiresAt, string jwtId)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, JwtJson.WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("iss", urls.Issuer);
            writer.WriteString("aud", audience);
            writer.WriteString("sub", transactionId);
            writer.WriteNumber("iat", time.GetUtcNow().ToUnixTimeSeconds());
            writer.WriteNumber("exp", expiresAt.ToUnixTimeSeconds());
            writer.WriteString("jti", jwtId);
            writer.WriteEndObject();
        }

        return JwsWriter.Sign(keys.Current.CallbackSigningKey, "JWT", buffer.WrittenSpan);
    }

    /// <summary>Validates a token for <paramref name="audience"/>: the transaction it names (none when it is not genuine), and whether it expired.</summary>
    public async Task<TransactionToken> ValidateAsync(string token, string audience, CancellationToken cancellationToken)
    {
        var result = await _handler.ValidateTokenAsync(token, Parameters(audience, checkLifetime: true));
        if (result.Exception is SecurityTokenSignatureKeyNotFoundException && KeyIdOf(token) is { } keyId
            && await keys.ReloadIfUnknownAsync(ring => ring.Publishes(keyId), cancellationToken))
        {
            result = await _handler.ValidateTokenAsync(token, Parameters(audience, checkLifetime: true));
        }

        if (result.IsValid)
        {
            return From((JsonWebToken)result.SecurityToken, expired: false);
        }

        if (result.Exception is not SecurityTokenInvalidLifetimeException)
        {
            return default;
        }

        // A genuine token that expired is told apart from a forged one.
        var genuine = await _handler.ValidateTokenAsync(token, Parameters(audience, checkLifetime: false));
        return genuine.IsValid ? From((JsonWebToken)genuine.SecurityToken, expired: true) : default;
    }

    private static TransactionToken From(JsonWebToken token, bool expired) =>
        new(token.Subject, expired, token.Id, token.ValidTo == DateTime.MinValue ? null : new DateTimeOffset(token.ValidTo, TimeSpan.Zero));

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

    private TokenValidationParameters Parameters(string audience, bool checkLifetime) => new()
    {
        ValidIssuer = urls.Issuer,
        ValidAudience = audience,
        IssuerSigningKeys = keys.Current.CallbackVerificationKeys,
        ValidAlgorithms = [SigningAlgorithms.ES256],
        RequireSignedTokens = true,
        RequireExpirationTime = true,
        ValidateLifetime = checkLifetime,
        LifetimeValidator = checkLifetime ? (_, expires, _, _) => expires is { } exp && exp > time.GetUtcNow().UtcDateTime : null,
    };
}

/// <summary>What a transaction token names: the transaction (null when the token is not genuine), whether it expired, its jti and expiry.</summary>
public readonly record struct TransactionToken(string? TransactionId, bool Expired, string? JwtId = null, DateTimeOffset? ExpiresAt = null);
