using Backchannel.Domain;
using Backchannel.Users;
using Microsoft.AspNetCore.Identity;

namespace Backchannel.Tests.Users;

public class UserSecretHasherTests
{
    [Fact]
    public void Hash_verifies_the_secret_and_nothing_else()
    {
        var hash = UserSecretHasher.Hash("correct horse");

        Assert.True(UserSecretHasher.Verify("correct horse", hash));
        Assert.False(UserSecretHasher.Verify("correct horsf", hash));
        Assert.False(UserSecretHasher.Verify("", hash));
    }

    [Fact]
    public void Hashes_are_salted()
    {
        Assert.NotEqual(UserSecretHasher.Hash("1234"), UserSecretHasher.Hash("1234"));
    }

    [Fact]
    public void Non_ascii_secrets_round_trip()
    {
        var hash = UserSecretHasher.Hash("p\u00e4ssw\u00f6rd \U0001F511");

        Assert.True(UserSecretHasher.Verify("p\u00e4ssw\u00f6rd \U0001F511", hash));
        Assert.False(UserSecretHasher.Verify("passwoerd \U0001F511", hash));
    }

    [Fact]
    public void A_hash_made_by_aspnet_identity_itself_verifies()
    {
        var hash = new PasswordHasher<UserRecord>().HashPassword(null!, "4711");

        Assert.True(UserSecretHasher.IsHash(hash));
        Assert.True(UserSecretHasher.Verify("4711", hash));
    }

    /// <summary>Made by Python's hashlib.pbkdf2_hmac("sha256", b"4711", b"0123456789abcdef", 100000), the format of earlier versions.</summary>
    private const string EarlierVersionHash = "pbkdf2-sha256$100000$MDEyMzQ1Njc4OWFiY2RlZg==$PUXtLMO37ihQZKQYld/IO4dFLinkSwWqxgGhw1XusNY=";

    [Fact]
    public void A_hash_of_an_earlier_version_is_a_hash_and_verifies_its_secret_only()
    {
        Assert.True(UserSecretHasher.IsHash(EarlierVersionHash));
        Assert.True(UserSecretHasher.Verify("4711", EarlierVersionHash));
        Assert.False(UserSecretHasher.Verify("4712", EarlierVersionHash));
        Assert.False(UserSecretHasher.Verify(EarlierVersionHash, EarlierVersionHash));
    }

    [Theory]
    [InlineData("pbkdf2-sha256$100000$MDEyMzQ1Njc4OWFiY2RlZg==$")]
    [InlineData("pbkdf2-sha256$100000$c2FsdA==$aGFzaA==")]
    [InlineData("pbkdf2-sha256$10$MDEyMzQ1Njc4OWFiY2RlZg==$PUXtLMO37ihQZKQYld/IO4dFLinkSwWqxgGhw1XusNY=")]
    [InlineData("pbkdf2-sha256$100000$$PUXtLMO37ihQZKQYld/IO4dFLinkSwWqxgGhw1XusNY=")]
    [InlineData("pbkdf2-sha256$100000$not base64$PUXtLMO37ihQZKQYld/IO4dFLinkSwWqxgGhw1XusNY=")]
    public void A_truncated_or_hand_made_earlier_version_hash_matches_nothing(string hash)
    {
        Assert.False(UserSecretHasher.Verify("", hash));
        Assert.False(UserSecretHasher.Verify("4711", hash));
    }

    [Fact]
    public void Tampered_hash_does_not_verify()
    {
        var bytes = Convert.FromBase64String(UserSecretHasher.Hash("1234"));
        bytes[^1] ^= 1;

        Assert.False(UserSecretHasher.Verify("1234", Convert.ToBase64String(bytes)));
    }

    [Theory]
    [InlineData("")]
    [InlineData("1234")]
    [InlineData("hunter2")]
    [InlineData("AQAAAA==")]
    [InlineData("not base64 at all, but long enough to pass the length check of the format for sure!!")]
    public void Garbage_is_not_a_hash_and_matches_nothing(string value)
    {
        Assert.False(UserSecretHasher.IsHash(value));
        Assert.False(UserSecretHasher.Verify("1234", value));
    }

    [Fact]
    public void A_version_two_hash_is_refused()
    {
        // Identity's V2 format (first byte 0x00, PBKDF2-SHA1 with 1,000 iterations) is too weak to accept as configured.
        var v2 = new PasswordHasher<UserRecord>(Microsoft.Extensions.Options.Options.Create(new PasswordHasherOptions
        {
            CompatibilityMode = PasswordHasherCompatibilityMode.IdentityV2,
        })).HashPassword(null!, "1234");

        Assert.False(UserSecretHasher.IsHash(v2));
        Assert.False(UserSecretHasher.Verify("1234", v2));
    }

    [Fact]
    public void Output_of_hash_is_a_hash()
    {
        Assert.True(UserSecretHasher.IsHash(UserSecretHasher.Hash("x")));
    }
}
