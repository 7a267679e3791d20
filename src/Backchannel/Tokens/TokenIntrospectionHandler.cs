using System.Text.Json;
using Backchannel.Abstractions;
using Backchannel.Clients;
using Backchannel.Domain;
using Backchannel.Protocol;

namespace Backchannel.Tokens;

/// <summary>
/// Token introspection (RFC 7662) for an authenticated client: the claims of an active access token (a JWT this provider
/// signed, unexpired, not revoked) or refresh token (stored by its hash, unconsumed, unrevoked, unexpired) issued to the
/// caller, or to any client when the caller registered <c>introspect_any_token</c>. Everything else, another client's
/// token included, is <c>{"active": false}</c> and nothing more. The sub is the one the token's client sees.
/// </summary>
public sealed class TokenIntrospectionHandler(
    IssuedTokenValidator validator,
    IRefreshTokenStore refreshTokens,
    ClientCatalog clients,
    ClientSubjects subjects,
    ProviderUrls urls,
    TimeProvider time)
{
    public const string RefreshTokenType = "refresh_token";

    public async ValueTask<ProtocolResult<IntrospectionResponse>> HandleAsync(RequestParameters form, Client caller, CancellationToken cancellationToken)
    {
        if (form[Parameters.Token] is not { } token)
        {
            return ProtocolError.InvalidRequest("token is required: the access token or refresh token to introspect.");
        }

        // The hint is not needed: the provider tells its access and refresh tokens apart by their form.
        return TokenTypeHints.Of(token) == TokenTypeHints.AccessToken
            ? await AccessTokenAsync(token, caller, cancellationToken)
            : await RefreshTokenAsync(token, caller, cancellationToken);
    }

    private async ValueTask<IntrospectionResponse> AccessTokenAsync(string token, Client caller, CancellationToken cancellationToken)
    {
        var validated = await validator.ValidateActiveAccessTokenAsync(token, cancellationToken);
        if (!validated.Succeeded
            || !validated.Value.TryGetPayloadValue<string>(Parameters.ClientId, out var clientId) || !MaySee(caller, clientId))
        {
            return IntrospectionResponse.Inactive;
        }

        var jwt = validated.Value;
        using var payload = JwtPayload.Parse(jwt);
        var claims = payload.RootElement;
        var cnf = Json(claims, TokenIssuer.ConfirmationClaim, JsonValueKind.Object);
        return new IntrospectionResponse
        {
            Active = true,
            Scope = JwtPayload.String(claims, "scope"),
            ClientId = clientId,
            // A token bound to a DPoP key is of type DPoP (RFC 9449 6.2); every other is a bearer token.
            TokenType = cnf is { } confirmation && confirmation.TryGetProperty(TokenIssuer.DpopThumbprintMember, out _)
                ? IssuedTokens.DpopTokenType
                : IssuedTokens.BearerTokenType,
            Exp = Number(claims, "exp"),
            Iat = Number(claims, "iat"),
            Sub = jwt.Subject,
            Aud = JwtPayload.String(claims, "aud"),
            Iss = jwt.Issuer,
            Cnf = cnf,
            AuthorizationDetails = Json(claims, TokenIssuer.AuthorizationDetailsClaim, JsonValueKind.Array),
        };
    }

    private async ValueTask<IntrospectionResponse> RefreshTokenAsync(string token, Client caller, CancellationToken cancellationToken)
    {
        var record = await refreshTokens.FindAsync(SecretHash.Compute(token), cancellationToken);
        if (record is null || record.RevokedAt is not null || record.ConsumedAt is not null || record.ExpiresAt <= time.GetUtcNow()
            || !MaySee(caller, record.ClientId))
        {
            return IntrospectionResponse.Inactive;
        }

        // The sub as the token's client sees it; a token of a client that no longer exists is of no use to anyone.
        var owner = record.ClientId == caller.ClientId ? caller : await clients.FindAsync(record.ClientId, cancellationToken);
        if (owner is null)
        {
            return IntrospectionResponse.Inactive;
        }

        return new IntrospectionResponse
        {
            Active = true,
            Scope = record.Scope,
            ClientId = record.ClientId,
            TokenType = RefreshTokenType,
            Exp = record.ExpiresAt.ToUnixTimeSeconds(),
            Iat = record.CreatedAt.ToUnixTimeSeconds(),
            Sub = await subjects.ForClientAsync(owner, record.Subject, cancellationToken),
            Iss = urls.Issuer,
            AuthorizationDetails = record.AuthorizationDetails is { } details ? Parse(details) : null,
        };
    }

    private static bool MaySee(Client caller, string clientId) => clientId == caller.ClientId || caller.IntrospectAnyToken;

    private static long? Number(JsonElement claims, string name) =>
        claims.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number) ? number : null;

    private static JsonElement Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    private static JsonElement? Json(JsonElement claims, string name, JsonValueKind kind) =>
        claims.TryGetProperty(name, out var value) && value.ValueKind == kind ? value.Clone() : null;
}
