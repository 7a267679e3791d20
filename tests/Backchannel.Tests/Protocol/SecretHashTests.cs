using System.Security.Cryptography;
using System.Text;
using Backchannel.Protocol;

namespace Backchannel.Tests;

public class SecretHashTests
{
    [Theory]
    [InlineData("")]
    [InlineData("s3cret")]
    [InlineData("p\u00e4ssw\u00f6rd \U0001F511")]
    public void Compute_is_the_sha256_of_the_utf8_bytes(string secret)
    {
        Assert.Equal(SHA256.HashData(Encoding.UTF8.GetBytes(secret)), SecretHash.Compute(secret));
        Assert.Equal(SecretHash.Length, SecretHash.Compute(secret).Length);
    }

    [Fact]
    public void Matches_the_secret_it_was_computed_from()
    {
        var hash = SecretHash.Compute("correct horse battery staple");

        Assert.True(SecretHash.Matches("correct horse battery staple", hash));
    }

    [Theory]
    [InlineData("correct horse battery stapl")]
    [InlineData("correct horse battery staple ")]
    [InlineData("Correct horse battery staple")]
    [InlineData("")]
    public void Does_not_match_another_secret(string other)
    {
        var hash = SecretHash.Compute("correct horse battery staple");

        Assert.False(SecretHash.Matches(other, hash));
    }

    [Theory]
    [InlineData(256)]
    [InlineData(257)]
    [InlineData(100_000)]
    public void Long_secrets_beyond_the_stack_buffer_hash_and_match(int length)
    {
        var secret = new string('x', length);
        var hash = SecretHash.Compute(secret);

        Assert.Equal(SHA256.HashData(Encoding.UTF8.GetBytes(secret)), hash);
        Assert.True(SecretHash.Matches(secret, hash));
        Assert.False(SecretHash.Matches(secret + "y", hash));
    }

    [Fact]
    public void Long_multibyte_secret_is_hashed_by_its_utf8_length()
    {
        // 100 characters, 300 UTF-8 bytes: over the stack-buffer threshold by bytes, not by characters.
        var secret = new string('\u20ac', 100);

        Assert.Equal(SHA256.HashData(Encoding.UTF8.GetBytes(secret)), SecretHash.Compute(secret));
        Assert.True(SecretHash.Matches(secret, SecretHash.Compute(secret)));
    }

    [Fact]
    public void Does_not_match_a_hash_of_the_wrong_length()
    {
        var hash = SecretHash.Compute("secret");

        Assert.False(SecretHash.Matches("secret", hash.AsSpan(0, 16)));
        Assert.False(SecretHash.Matches("secret", []));
    }
}
