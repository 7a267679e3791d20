using Backchannel.Protocol;

namespace Backchannel.Tests;

public class ScopesTests
{
    [Fact]
    public void Parse_splits_on_spaces_and_drops_duplicates()
    {
        Assert.Equal(["openid", "email"], Scopes.Parse("openid  email openid"));
    }

    [Fact]
    public void Parse_keeps_the_order_of_first_appearance()
    {
        Assert.Equal(["profile", "openid", "email"], Scopes.Parse(" profile openid email profile "));
    }

    [Fact]
    public void Parse_is_case_sensitive()
    {
        Assert.Equal(["openid", "OpenID"], Scopes.Parse("openid OpenID"));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void Parse_of_nothing_is_empty(string? scope)
    {
        Assert.Empty(Scopes.Parse(scope));
    }

    [Fact]
    public void Parse_of_a_single_scope_is_that_scope()
    {
        Assert.Equal(["openid"], Scopes.Parse("openid"));
    }

    [Theory]
    [InlineData("openid")]
    [InlineData("urn:example:scope/read")]
    [InlineData("!#$%&'()*+,-./[]^_`{|}~")]
    public void Tokens_of_rfc6749_characters_are_valid(string token)
    {
        Assert.True(Scopes.IsValidToken(token));
    }

    [Theory]
    [InlineData("")]
    [InlineData("with space")]
    [InlineData("quote\"")]
    [InlineData("back\\slash")]
    [InlineData("caf\u00e9")]
    [InlineData("tab\t")]
    [InlineData("del\u007F")]
    public void Tokens_with_other_characters_are_invalid(string token)
    {
        Assert.False(Scopes.IsValidToken(token));
    }

    [Fact]
    public void Standard_scopes_start_with_openid()
    {
        Assert.Equal(Scopes.OpenId, Scopes.Standard[0]);
        Assert.Contains(Scopes.OfflineAccess, Scopes.Standard);
    }
}
