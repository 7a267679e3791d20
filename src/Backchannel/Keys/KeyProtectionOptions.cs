using System.Runtime.InteropServices;
using Microsoft.Extensions.Options;

namespace Backchannel.Keys;

/// <summary>
/// How the private key material in the store (signing keys, sealing keys) is protected: with ASP.NET Core Data
/// Protection, whose own key ring lives outside the database: <c>Backchannel:KeyProtection</c>.
/// </summary>
public sealed class KeyProtectionOptions
{
    /// <summary>
    /// The directory of the Data Protection key ring. Empty: ASP.NET Core's default (<c>~/.aspnet/DataProtection-Keys</c>
    /// on Linux). Several nodes must share it (or the certificate). Back it up with the database: without it the stored
    /// keys cannot be read.
    /// </summary>
    public string? KeysDirectory { get; set; }

    /// <summary>A PFX (PKCS#12) certificate whose key encrypts the key ring at rest; empty: the key ring is stored unencrypted (file permissions only).</summary>
    public string? CertificateFile { get; set; }

    public string? CertificatePassword { get; set; }
}

public sealed class KeyProtectionOptionsValidator : IValidateOptions<KeyProtectionOptions>
{
    public ValidateOptionsResult Validate(string? name, KeyProtectionOptions options)
    {
        var errors = new List<string>();
        if (string.IsNullOrEmpty(options.KeysDirectory) && !RuntimeInformation.IsOSPlatform(OSPlatform.Windows)
            && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("HOME")))
        {
            errors.Add("Backchannel:KeyProtection:KeysDirectory must be set: there is no home directory for the default Data Protection key ring, and a key ring kept in memory would make the stored keys unreadable after a restart.");
        }

        if (!string.IsNullOrEmpty(options.CertificateFile) && !File.Exists(options.CertificateFile))
        {
            errors.Add($"Backchannel:KeyProtection:CertificateFile names '{options.CertificateFile}', which does not exist.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
