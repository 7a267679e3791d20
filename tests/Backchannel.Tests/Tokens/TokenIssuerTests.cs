using System.Security.Cryptography;
using System.Text;
using Backchannel.Tokens;

namespace Backchannel.Tests;

public class TokenIssuerTests
{
    private static string ExpectedLeftHalfHash(string token)
    {
        var hash = SHA256.HashData(Encoding.ASCII.GetBytes(token));
        return Convert.ToBase64String(hash, 0, 16).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    [Fact]
    public void Left_half_hash_matches_the_openid_connect_core_example()
    {
        // OpenID Connect Core 1.0, appendix A.3: the at_hash of this access token.
        Assert.Equal("77QmUPtjPfzWtF2AnpK9RQ", TokenIssuer.LeftHalfHash("jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("a")]
    [InlineData("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl")]
    public void Left_half_hash_is_base64url_of_the_first_16_bytes_of_sha256(string token)
    {
        var hash = TokenIssuer.LeftHalfHash(token);

        Assert.Equal(ExpectedLeftHalfHash(token), hash);
        Assert.Equal(22, hash.Length);
    }

    [Theory]
    [InlineData(2048)]
    [InlineData(2049)]
    [InlineData(10_000)]
    public void Left_half_hash_of_long_tokens_beyond_the_stack_buffer(int length)
    {
        var token = string.Concat(Enumerable.Range(0, length).Select(i => (char)('A' + (i % 26))));

        Assert.Equal(ExpectedLeftHalfHash(token), TokenIssuer.LeftHalfHash(token));
    }

    [Fact]
    public void Different_tokens_have_different_hashes()
    {
        Assert.NotEqual(TokenIssuer.LeftHalfHash("token-a"), TokenIssuer.LeftHalfHash("token-b"));
    }
}
