namespace Backchannel.Configuration;

public sealed class TokenOptions
{
    /// <summary>The JWS algorithm of ID tokens and access tokens: RS256 (default), PS256 or ES256.</summary>
    public string SigningAlgorithm { get; set; } = Protocol.SigningAlgorithms.RS256;

    public int AccessTokenLifetimeSeconds { get; set; } = 3600;

    public int IdTokenLifetimeSeconds { get; set; } = 3600;

    /// <summary>Whether refresh tokens are issued to clients that registered the refresh_token grant.</summary>
    public bool RefreshTokens { get; set; } = true;

    public int RefreshTokenLifetimeSeconds { get; set; } = 30 * 86400;

    /// <summary>The <c>aud</c> of access tokens; the issuer when empty.</summary>
    public string? AccessTokenAudience { get; set; }

    /// <summary>A PEM file holding the private signing key (PKCS#8, or PKCS#1/SEC1); when empty keys are generated and kept in the store.</summary>
    public string? SigningKeyFile { get; set; }

    /// <summary>A PEM file holding the next signing key, published in /jwks before it is used.</summary>
    public string? NextSigningKeyFile { get; set; }

    /// <summary>How long a generated signing key signs before the next one takes over.</summary>
    public int KeyRotationDays { get; set; } = 90;

    /// <summary>How long the next key is published before it signs (clients refresh their JWKS caches in this time).</summary>
    public int KeyPrePublicationDays { get; set; } = 7;

    /// <summary>How long a retired key stays published so that tokens it signed can still be verified.</summary>
    public int KeyRetentionDays { get; set; } = 30;
}
