using Microsoft.Extensions.Options;

namespace Backchannel.Tokens;

/// <summary>The tokens the provider issues: the lifetimes and audiences of <c>Backchannel:Tokens</c> (the key settings are <see cref="Keys.KeyOptions"/>).</summary>
public sealed class TokenOptions
{
    public int AccessTokenLifetimeSeconds { get; set; } = 3600;

    public int IdTokenLifetimeSeconds { get; set; } = 3600;

    /// <summary>Whether refresh tokens are issued to clients that registered the refresh_token grant.</summary>
    public bool RefreshTokens { get; set; } = true;

    public int RefreshTokenLifetimeSeconds { get; set; } = 30 * 86400;

    /// <summary>The <c>aud</c> of access tokens; the issuer when empty.</summary>
    public string? AccessTokenAudience { get; set; }
}

public sealed class TokenOptionsValidator : IValidateOptions<TokenOptions>
{
    public ValidateOptionsResult Validate(string? name, TokenOptions tokens)
    {
        var errors = new List<string>();
        foreach (var (setting, value) in new[]
                 {
                     ("AccessTokenLifetimeSeconds", tokens.AccessTokenLifetimeSeconds),
                     ("IdTokenLifetimeSeconds", tokens.IdTokenLifetimeSeconds),
                     ("RefreshTokenLifetimeSeconds", tokens.RefreshTokenLifetimeSeconds),
                 })
        {
            if (value <= 0)
            {
                errors.Add($"Backchannel:Tokens:{setting} must be a positive number.");
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
