using System.Buffers.Binary;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Backchannel.Keys;
using Microsoft.Extensions.Options;

namespace Backchannel.Security;

/// <summary>
/// Server nonces for DPoP proofs (RFC 9449 8): an HMAC of a time slot (one proof lifetime long) under a key derived from
/// the provider's sealing key, which every node reads from the key store. Any node verifies any node's nonce, and nothing
/// is remembered: a nonce is good in its slot and the next one. Format: base64url(slot (8 bytes) | key id) "." base64url(MAC).
/// </summary>
public sealed class DpopNonces(KeyManager keys, IOptions<DpopOptions> options, TimeProvider time)
{
    private static readonly byte[] Purpose = "backchannel dpop nonce v1"u8.ToArray();

    /// <summary>A fresh nonce, for the DPoP-Nonce header.</summary>
    public string Issue()
    {
        var key = keys.Current.SealingKey;
        return Compute(key.KeyId, key.Key, Slot(time.GetUtcNow()));
    }

    /// <summary>Whether this provider issued <paramref name="nonce"/> in the current time slot or the one before.</summary>
    public bool IsValid(string nonce)
    {
        var dot = nonce.IndexOf('.');
        if (dot <= 0 || nonce.Length > 256)
        {
            return false;
        }

        byte[] prefix;
        try
        {
            prefix = Base64Url.DecodeFromChars(nonce.AsSpan(0, dot));
        }
        catch (FormatException)
        {
            return false;
        }

        if (prefix.Length <= sizeof(long))
        {
            return false;
        }

        var slot = BinaryPrimitives.ReadInt64BigEndian(prefix);
        var keyId = Encoding.ASCII.GetString(prefix.AsSpan(sizeof(long)));
        var current = Slot(time.GetUtcNow());
        if ((slot != current && slot != current - 1) || keys.Current.FindSealingKey(keyId) is not { } key)
        {
            return false;
        }

        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Compute(keyId, key.Key, slot)), Encoding.ASCII.GetBytes(nonce));
    }

    private long Slot(DateTimeOffset now) => now.ToUnixTimeSeconds() / options.Value.ProofLifetimeSeconds;

    private static string Compute(string keyId, byte[] sealingKey, long slot)
    {
        var prefix = new byte[sizeof(long) + Encoding.ASCII.GetByteCount(keyId)];
        BinaryPrimitives.WriteInt64BigEndian(prefix, slot);
        Encoding.ASCII.GetBytes(keyId, prefix.AsSpan(sizeof(long)));

        // The sealing key itself never MACs anything: a key for this purpose is derived from it.
        var nonceKey = HMACSHA256.HashData(sealingKey, Purpose);
        var mac = HMACSHA256.HashData(nonceKey, prefix);
        return Base64Url.EncodeToString(prefix) + "." + Base64Url.EncodeToString(mac.AsSpan(0, 16));
    }
}
