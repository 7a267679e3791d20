using Backchannel.Protocol;

namespace Backchannel.Domain;

/// <summary>Tokens issued for one grant, and the refresh token's record to store with them (never the token itself).</summary>
public sealed record IssuedTokens
{
    public required string AccessToken { get; init; }

    public const string BearerTokenType = "Bearer";

    /// <summary>RFC 9449 5: the token_type of a DPoP-bound access token.</summary>
    public const string DpopTokenType = "DPoP";

    /// <summary><c>Bearer</c>, or <c>DPoP</c> for an access token bound to a DPoP key.</summary>
    public string TokenType { get; init; } = BearerTokenType;

    public required int ExpiresIn { get; init; }

    public string? IdToken { get; init; }

    public string? RefreshToken { get; init; }

    public required string Scope { get; init; }

    /// <summary>The access token's jti, by which it can be revoked.</summary>
    public required string AccessTokenId { get; init; }

    public required DateTimeOffset AccessTokenExpiresAt { get; init; }

    /// <summary>Push only: the auth_req_id the pushed response names.</summary>
    public string? AuthReqId { get; init; }

    public RefreshTokenRecord? RefreshTokenRecord { get; init; }

    /// <summary>The token response as the client receives it (RFC 6749 5.1; with auth_req_id in a push).</summary>
    public TokenResponse ToResponse() => new()
    {
        AccessToken = AccessToken,
        TokenType = TokenType,
        ExpiresIn = ExpiresIn,
        IdToken = IdToken,
        RefreshToken = RefreshToken,
        Scope = Scope,
        AuthReqId = AuthReqId,
    };
}
