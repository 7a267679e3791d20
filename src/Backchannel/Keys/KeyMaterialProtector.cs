using System.Security.Cryptography;
using Backchannel.Abstractions;
using Microsoft.AspNetCore.DataProtection;

namespace Backchannel.Keys;

/// <summary>
/// Encrypts private key material before it is stored, with ASP.NET Core Data Protection (its key ring lives outside the
/// database): a copy of the database alone reveals no key. Protected material starts with <see cref="Marker"/>; material
/// without it was stored in clear by an earlier version, is read as is, and is protected at the next key refresh.
/// </summary>
public sealed class KeyMaterialProtector(IDataProtectionProvider dataProtection)
{
    private static readonly byte[] Marker = "BKP1"u8.ToArray();

    private readonly IDataProtector _protector = dataProtection.CreateProtector("Backchannel.ProviderKeys.v1");

    public byte[] Protect(byte[] material) => [.. Marker, .. _protector.Protect(material)];

    public static bool IsProtected(byte[] stored) => stored.AsSpan().StartsWith(Marker);

    /// <summary>
    /// The key material; throws <see cref="StoreUnavailableException"/> with what to do when the key ring that protected it
    /// is missing (the store cannot be used without it; at start the operator is told, not shown a stack trace).
    /// </summary>
    public byte[] Unprotect(byte[] stored)
    {
        if (!IsProtected(stored))
        {
            return stored;
        }

        try
        {
            return _protector.Unprotect(stored[Marker.Length..]);
        }
        catch (CryptographicException ex)
        {
            throw new StoreUnavailableException(
                "The provider's keys in the store are protected with a Data Protection key ring this process cannot read. Restore that key ring " +
                "(Backchannel:KeyProtection:KeysDirectory, and Backchannel:KeyProtection:CertificateFile if it was encrypted) or, for several " +
                "nodes, share it between them.", ex);
        }
    }
}
