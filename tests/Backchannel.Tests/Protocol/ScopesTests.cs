using Backchannel.Protocol;

namespace Backchannel.Tests;

public class ScopesTests
{
    [Fact]
    public void Parse_splits_on_spaces_and_drops_duplicates()
    {
        Assert.Equal(["openid", "email"], Scopes.Parse("openid  email openid"));
    }
}
