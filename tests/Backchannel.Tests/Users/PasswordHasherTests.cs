using System.Security.Cryptography;
using System.Text;
using Backchannel.Users;

namespace Backchannel.Tests;

public class PasswordHasherTests
{
    private const int FastIterations = 1_000;

    [Fact]
    public void Hash_verifies_with_the_same_secret()
    {
        var encoded = PasswordHasher.Hash("correct horse", FastIterations);

        Assert.True(PasswordHasher.Verify("correct horse", encoded));
    }

    [Fact]
    public void Default_iterations_are_used_and_recorded()
    {
        var encoded = PasswordHasher.Hash("1234");

        Assert.StartsWith($"pbkdf2-sha256${PasswordHasher.DefaultIterations}$", encoded, StringComparison.Ordinal);
        Assert.True(PasswordHasher.Verify("1234", encoded));
    }

    [Theory]
    [InlineData("correct hors")]
    [InlineData("Correct horse")]
    [InlineData("correct horse ")]
    [InlineData("")]
    public void Hash_does_not_verify_another_secret(string other)
    {
        Assert.False(PasswordHasher.Verify(other, PasswordHasher.Hash("correct horse", FastIterations)));
    }

    [Fact]
    public void Non_ascii_secrets_round_trip()
    {
        var encoded = PasswordHasher.Hash("p\u00e4ssw\u00f6rd \U0001F511", FastIterations);

        Assert.True(PasswordHasher.Verify("p\u00e4ssw\u00f6rd \U0001F511", encoded));
        Assert.False(PasswordHasher.Verify("passwoerd \U0001F511", encoded));
    }

    [Fact]
    public void Same_secret_hashes_differently_each_time()
    {
        Assert.NotEqual(PasswordHasher.Hash("1234", FastIterations), PasswordHasher.Hash("1234", FastIterations));
    }

    [Fact]
    public void Encoding_is_prefix_iterations_salt_and_hash()
    {
        var parts = PasswordHasher.Hash("1234", FastIterations).Split('$');

        Assert.Equal(4, parts.Length);
        Assert.Equal("pbkdf2-sha256", parts[0]);
        Assert.Equal("1000", parts[1]);
        Assert.Equal(16, Convert.FromBase64String(parts[2]).Length);
        Assert.Equal(32, Convert.FromBase64String(parts[3]).Length);
    }

    [Fact]
    public void Verify_recomputes_pbkdf2_sha256_independently()
    {
        var salt = Encoding.ASCII.GetBytes("0123456789abcdef");
        var hash = Rfc2898DeriveBytes.Pbkdf2("1234"u8.ToArray(), salt, 1000, HashAlgorithmName.SHA256, 32);
        var encoded = $"pbkdf2-sha256$1000${Convert.ToBase64String(salt)}${Convert.ToBase64String(hash)}";

        Assert.True(PasswordHasher.Verify("1234", encoded));
        Assert.False(PasswordHasher.Verify("1235", encoded));
    }

    [Fact]
    public void Tampered_hash_does_not_verify()
    {
        var parts = PasswordHasher.Hash("1234", FastIterations).Split('$');
        var hash = Convert.FromBase64String(parts[3]);
        hash[0] ^= 1;

        Assert.False(PasswordHasher.Verify("1234", $"{parts[0]}${parts[1]}${parts[2]}${Convert.ToBase64String(hash)}"));
    }

    [Fact]
    public void Tampered_salt_or_iterations_do_not_verify()
    {
        var parts = PasswordHasher.Hash("1234", FastIterations).Split('$');
        var salt = Convert.FromBase64String(parts[2]);
        salt[^1] ^= 0x80;

        Assert.False(PasswordHasher.Verify("1234", $"{parts[0]}${parts[1]}${Convert.ToBase64String(salt)}${parts[3]}"));
        Assert.False(PasswordHasher.Verify("1234", $"{parts[0]}$1001${parts[2]}${parts[3]}"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("1234")]
    [InlineData("pbkdf2-sha256$")]
    [InlineData("pbkdf2-sha256$1000$c2FsdA==")]
    [InlineData("pbkdf2-sha256$1000$c2FsdA==$aGFzaA==$extra")]
    [InlineData("pbkdf2-sha512$1000$c2FsdA==$aGFzaA==")]
    [InlineData("pbkdf2-sha256$abc$c2FsdA==$aGFzaA==")]
    [InlineData("pbkdf2-sha256$-5$c2FsdA==$aGFzaA==")]
    [InlineData("pbkdf2-sha256$0$c2FsdA==$aGFzaA==")]
    [InlineData("pbkdf2-sha256$+100$c2FsdA==$aGFzaA==")]
    [InlineData("pbkdf2-sha256$99999999999$c2FsdA==$aGFzaA==")]
    [InlineData("pbkdf2-sha256$1000$not base64!$aGFzaA==")]
    [InlineData("pbkdf2-sha256$1000$c2FsdA==$not base64!")]
    public void Garbage_encodings_return_false(string encoded)
    {
        Assert.False(PasswordHasher.Verify("1234", encoded));
    }

    [Fact]
    public void Encoding_with_an_empty_hash_returns_false()
    {
        // A truncated or hand-edited hash field: PBKDF2 cannot derive zero bytes.
        Assert.False(PasswordHasher.Verify("1234", "pbkdf2-sha256$1000$c2FsdA==$"));
    }

    [Fact]
    public void Encodings_with_an_empty_salt_or_out_of_range_iterations_are_refused()
    {
        var hash = Rfc2898DeriveBytes.Pbkdf2("1234"u8.ToArray(), Array.Empty<byte>(), 1000, HashAlgorithmName.SHA256, 32);
        Assert.False(PasswordHasher.Verify("1234", $"pbkdf2-sha256$1000$${Convert.ToBase64String(hash)}"));

        var salt = Convert.ToBase64String(Encoding.ASCII.GetBytes("0123456789abcdef"));
        var fewIterations = Rfc2898DeriveBytes.Pbkdf2("1234"u8.ToArray(), Encoding.ASCII.GetBytes("0123456789abcdef"), 10, HashAlgorithmName.SHA256, 32);
        Assert.False(PasswordHasher.Verify("1234", $"pbkdf2-sha256$10${salt}${Convert.ToBase64String(fewIterations)}"));
        Assert.False(PasswordHasher.Verify("1234", $"pbkdf2-sha256$2000000000${salt}${Convert.ToBase64String(fewIterations)}"));
    }

    [Theory]
    [InlineData("pbkdf2-sha256$100000$abc$def", true)]
    [InlineData("pbkdf2-sha256$", true)]
    [InlineData("PBKDF2-SHA256$100000$abc$def", false)]
    [InlineData("hunter2", false)]
    [InlineData("", false)]
    public void IsHash_recognises_the_prefix(string value, bool expected)
    {
        Assert.Equal(expected, PasswordHasher.IsHash(value));
    }

    [Fact]
    public void Output_of_hash_is_a_hash()
    {
        Assert.True(PasswordHasher.IsHash(PasswordHasher.Hash("x", FastIterations)));
    }
}
