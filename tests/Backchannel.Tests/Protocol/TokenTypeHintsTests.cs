using Backchannel.Protocol;

namespace Backchannel.Tests.Protocol;

public class TokenTypeHintsTests
{
    [Theory]
    [InlineData("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhIn0.c2ln", TokenTypeHints.AccessToken)]
    [InlineData("a.b", TokenTypeHints.AccessToken)]
    [InlineData("0123456789abcdefghijABCDEFGHIJ_-0123456789a", TokenTypeHints.RefreshToken)]
    [InlineData("not a token at all", TokenTypeHints.RefreshToken)]
    public void Tokens_are_told_apart_by_their_form(string token, string kind) => Assert.Equal(kind, TokenTypeHints.Of(token));

    [Fact]
    public void Refresh_tokens_never_look_like_access_tokens()
    {
        for (var i = 0; i < 100; i++)
        {
            Assert.Equal(TokenTypeHints.RefreshToken, TokenTypeHints.Of(RandomIdentifiers.NewRefreshToken()));
        }
    }
}
