using Backchannel.Protocol;

namespace Backchannel.Tests;

public class ErrorDescriptionsTests
{
    [Theory]
    [InlineData("The scope parameter is required.")]
    [InlineData("Allowed: !#$%&'()*+,-./0-9:;<=>?@A-Z[]^_`a-z{|}~")]
    [InlineData("")]
    public void Allowed_text_is_unchanged(string description)
    {
        Assert.Equal(description, ErrorDescriptions.Sanitize(description));
    }

    [Fact]
    public void Allowed_text_is_returned_without_copying()
    {
        const string description = "nothing to replace";

        Assert.Same(description, ErrorDescriptions.Sanitize(description));
    }

    [Fact]
    public void Double_quotes_become_apostrophes()
    {
        Assert.Equal("The scope 'x' is unknown.", ErrorDescriptions.Sanitize("The scope \"x\" is unknown."));
    }

    [Fact]
    public void Backslash_is_replaced()
    {
        Assert.Equal("C:?path", ErrorDescriptions.Sanitize("C:\\path"));
    }

    [Theory]
    [InlineData("caf\u00e9", "caf?")]
    [InlineData("\u20ac10", "?10")]
    [InlineData("cat \U0001F431", "cat ??")]
    [InlineData("line\nbreak\ttab", "line?break?tab")]
    [InlineData("del\u007F", "del?")]
    public void Non_ascii_and_control_characters_are_replaced(string description, string expected)
    {
        Assert.Equal(expected, ErrorDescriptions.Sanitize(description));
    }

    [Fact]
    public void Result_only_has_rfc6749_error_description_characters()
    {
        var all = new string(Enumerable.Range(0, 0x300).Select(i => (char)i).ToArray());

        var sanitized = ErrorDescriptions.Sanitize(all);

        Assert.Equal(all.Length, sanitized.Length);
        Assert.All(sanitized, c => Assert.True(c is >= (char)0x20 and <= (char)0x21 or >= (char)0x23 and <= (char)0x5B or >= (char)0x5D and <= (char)0x7E, $"U+{(int)c:X4}"));
    }
}
