using Backchannel.Protocol;

namespace Backchannel.Tests.Protocol;

public class CibaOptionsValidatorTests
{
    private static IReadOnlyList<string> Errors(CibaOptions options) =>
        new CibaOptionsValidator().Validate(null, options).Failures?.ToList() ?? [];

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(30)]
    public void Long_polling_off_or_up_to_30_seconds_is_valid(int seconds) =>
        Assert.Empty(Errors(new CibaOptions { LongPollSeconds = seconds }));

    [Theory]
    [InlineData(-1)]
    [InlineData(31)]
    public void Long_polling_beyond_30_seconds_or_negative_is_named(int seconds)
    {
        var error = Assert.Single(Errors(new CibaOptions { LongPollSeconds = seconds }));
        Assert.Contains("Backchannel:Ciba:LongPollSeconds", error);
        Assert.Contains("30", error);
    }
}
