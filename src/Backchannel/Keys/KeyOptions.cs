using Backchannel.Protocol;
using Microsoft.Extensions.Options;

namespace Backchannel.Keys;

/// <summary>The provider's signing keys: the key settings of <c>Backchannel:Tokens</c>.</summary>
public sealed class KeyOptions
{
    /// <summary>The JWS algorithm of ID tokens and access tokens: RS256 (default), PS256 or ES256.</summary>
    public string SigningAlgorithm { get; set; } = SigningAlgorithms.RS256;

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

    public bool KeysFromFiles => !string.IsNullOrEmpty(SigningKeyFile);

    /// <summary>The algorithms ID tokens can be signed with: every supported one for generated keys, the file key's own otherwise.</summary>
    public IReadOnlyList<string> AvailableTokenAlgorithms => KeysFromFiles ? [SigningAlgorithm] : SigningAlgorithms.TokenSigning;
}

public sealed class KeyOptionsValidator : IValidateOptions<KeyOptions>
{
    public ValidateOptionsResult Validate(string? name, KeyOptions keys)
    {
        var errors = new List<string>();
        if (!SigningAlgorithms.TokenSigning.Contains(keys.SigningAlgorithm))
        {
            errors.Add($"Backchannel:Tokens:SigningAlgorithm must be RS256, PS256 or ES256, not '{keys.SigningAlgorithm}'.");
        }

        if (keys.KeyRotationDays <= 0)
        {
            errors.Add("Backchannel:Tokens:KeyRotationDays must be a positive number.");
        }

        if (keys.KeyRetentionDays <= 0)
        {
            errors.Add("Backchannel:Tokens:KeyRetentionDays must be a positive number.");
        }

        if (keys.KeyPrePublicationDays < 0 || keys.KeyPrePublicationDays >= keys.KeyRotationDays)
        {
            errors.Add("Backchannel:Tokens:KeyPrePublicationDays must be 0 or more and less than Tokens:KeyRotationDays.");
        }

        foreach (var (setting, path) in new[] { ("SigningKeyFile", keys.SigningKeyFile), ("NextSigningKeyFile", keys.NextSigningKeyFile) })
        {
            if (!string.IsNullOrEmpty(path) && !File.Exists(path))
            {
                errors.Add($"Backchannel:Tokens:{setting} names '{path}', which does not exist.");
            }
        }

        if (!keys.KeysFromFiles && !string.IsNullOrEmpty(keys.NextSigningKeyFile))
        {
            errors.Add("Backchannel:Tokens:NextSigningKeyFile needs Tokens:SigningKeyFile.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
