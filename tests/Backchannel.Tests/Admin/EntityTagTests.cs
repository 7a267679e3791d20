using Backchannel.Admin;

namespace Backchannel.Tests.Admin;

public class EntityTagTests
{
    [Fact]
    public void Tag_is_quoted_stable_and_changes_with_any_part()
    {
        var tag = EntityTag.Of("a", "b", null);

        Assert.Matches("^\"[A-Za-z0-9_-]+\"$", tag);
        Assert.Equal(tag, EntityTag.Of("a", "b", null));
        Assert.NotEqual(tag, EntityTag.Of("a", "b", ""));
        Assert.NotEqual(tag, EntityTag.Of("ab", "", null));
        Assert.NotEqual(EntityTag.Of("ab", "c"), EntityTag.Of("a", "bc"));
    }

    [Fact]
    public void If_match_is_strong_and_takes_lists_and_any()
    {
        var tag = EntityTag.Of("x");

        Assert.True(EntityTag.Matches(null, tag));
        Assert.True(EntityTag.Matches(tag, tag));
        Assert.True(EntityTag.Matches("*", tag));
        Assert.True(EntityTag.Matches($"\"other\", {tag}", tag));
        Assert.False(EntityTag.Matches("\"other\"", tag));
        Assert.False(EntityTag.Matches("W/" + tag, tag));
        Assert.False(EntityTag.Matches(tag.Trim('"'), tag));
    }
}
