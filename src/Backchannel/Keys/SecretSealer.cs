using System.Security.Cryptography;
using System.Text;

namespace Backchannel.Keys;

/// <summary>
/// Encrypts secrets the store must give back (AES-256-GCM, a fresh nonce each time). The associated data binds a sealed
/// value to what it belongs to (a purpose and a request id), so it cannot be moved to another row. Format:
/// version (1) | key id length (1) | key id | nonce (12) | tag (16) | ciphertext. A value sealed with a key this node
/// does not know yet (another node created it) makes the node read its keys again.
/// </summary>
public sealed class SecretSealer(KeyManager keys)
{
    private const byte Version = 1;
    private const int NonceSize = 12;
    private const int TagSize = 16;

    public byte[] Seal(ReadOnlySpan<byte> plaintext, string context)
    {
        var key = keys.Current.SealingKey;
        var keyId = Encoding.ASCII.GetBytes(key.KeyId);
        var sealedValue = new byte[2 + keyId.Length + NonceSize + TagSize + plaintext.Length];
        sealedValue[0] = Version;
        sealedValue[1] = (byte)keyId.Length;
        keyId.CopyTo(sealedValue, 2);
        var offset = 2 + keyId.Length;
        var nonce = sealedValue.AsSpan(offset, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(key.Key, TagSize);
        aes.Encrypt(nonce, plaintext, sealedValue.AsSpan(offset + NonceSize + TagSize), sealedValue.AsSpan(offset + NonceSize, TagSize),
            Encoding.UTF8.GetBytes(context));
        return sealedValue;
    }

    public byte[] Seal(string plaintext, string context) => Seal(Encoding.UTF8.GetBytes(plaintext), context);

    /// <summary>The plaintext, or null when the value was tampered with, sealed for another context, or its key is gone.</summary>
    public async ValueTask<byte[]?> UnsealAsync(byte[] sealedValue, string context, CancellationToken cancellationToken)
    {
        if (KeyIdOf(sealedValue) is not { } keyId)
        {
            return null;
        }

        if (keys.Current.FindSealingKey(keyId) is null
            && !await keys.ReloadIfUnknownAsync(ring => ring.FindSealingKey(keyId) is not null, cancellationToken))
        {
            return null;
        }

        return Unseal(sealedValue, context);
    }

    public async ValueTask<string?> UnsealStringAsync(byte[] sealedValue, string context, CancellationToken cancellationToken) =>
        await UnsealAsync(sealedValue, context, cancellationToken) is { } plaintext ? Encoding.UTF8.GetString(plaintext) : null;

    private static string? KeyIdOf(ReadOnlySpan<byte> sealedValue) =>
        sealedValue.Length < 2 || sealedValue[0] != Version || sealedValue.Length < 2 + sealedValue[1] + NonceSize + TagSize
            ? null
            : Encoding.ASCII.GetString(sealedValue.Slice(2, sealedValue[1]));

    private byte[]? Unseal(ReadOnlySpan<byte> sealedValue, string context)
    {
        if (KeyIdOf(sealedValue) is not { } keyId || keys.Current.FindSealingKey(keyId) is not { } key)
        {
            return null;
        }

        var offset = 2 + sealedValue[1];
        var ciphertext = sealedValue[(offset + NonceSize + TagSize)..];
        var plaintext = new byte[ciphertext.Length];
        try
        {
            using var aes = new AesGcm(key.Key, TagSize);
            aes.Decrypt(sealedValue.Slice(offset, NonceSize), ciphertext, sealedValue.Slice(offset + NonceSize, TagSize), plaintext,
                Encoding.UTF8.GetBytes(context));
            return plaintext;
        }
        catch (AuthenticationTagMismatchException)
        {
            return null;
        }
    }
}
