using Backchannel.Admin;

namespace Backchannel.Tests.Admin;

public class AdminPagingTests
{
    [Theory]
    [InlineData(null, AdminPaging.DefaultLimit)]
    [InlineData("1", 1)]
    [InlineData("200", 200)]
    [InlineData("100000", AdminPaging.MaxLimit)]
    public void Limit_defaults_and_is_capped(string? value, int expected)
    {
        Assert.Equal(expected, AdminPaging.Limit(value).Value);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("ten")]
    [InlineData("1.5")]
    [InlineData(" 5")]
    [InlineData("99999999999999999999")]
    public void Limit_that_is_no_positive_whole_number_is_invalid_request(string value)
    {
        var result = AdminPaging.Limit(value);

        Assert.False(result.Succeeded);
        Assert.Equal("invalid_request", result.Error.Error);
    }

    [Theory]
    [InlineData("client-a")]
    [InlineData("caf\u00e9 \ud83d\udc31")]
    [InlineData("-0Z_az")]
    public void Cursor_gives_back_its_key(string key)
    {
        var cursor = AdminPaging.Cursor(key);

        Assert.Matches("^[A-Za-z0-9_-]+$", cursor);
        Assert.Equal(key, AdminPaging.Key(cursor).Value);
        Assert.Null(AdminPaging.Key(null).Value);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not a cursor")]
    [InlineData("_w")]
    public void Cursor_this_api_did_not_give_is_invalid_request(string cursor)
    {
        var result = AdminPaging.Key(cursor);

        Assert.False(result.Succeeded);
        Assert.Equal("invalid_request", result.Error.Error);
    }

    [Fact]
    public void Overlong_cursor_is_invalid_request()
    {
        Assert.False(AdminPaging.Key(new string('a', 2000)).Succeeded);
    }
}
