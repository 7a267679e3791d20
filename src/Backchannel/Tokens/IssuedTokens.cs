using Backchannel.Json;
using Backchannel.Storage;

namespace Backchannel.Tokens;

/// <summary>A token response, and the refresh token's record to store with it (never the token itself).</summary>
public sealed record IssuedTokens(TokenResponse Response, RefreshTokenRecord? RefreshToken);
