using Backchannel.Hosting;

namespace Backchannel.Tests.Hosting;

public class OperationsOptionsValidatorTests
{
    private static IReadOnlyList<string> Errors(OperationsOptions options) =>
        new OperationsOptionsValidator().Validate(null, options).Failures?.ToList() ?? [];

    [Fact]
    public void The_defaults_and_turned_off_endpoints_are_valid()
    {
        Assert.Empty(Errors(new OperationsOptions()));
        Assert.Empty(Errors(new OperationsOptions { HealthLivePath = "", HealthReadyPath = null, MetricsPath = "", MetricsPort = 9464 }));
    }

    [Theory]
    [InlineData("metrics")]
    [InlineData("/me trics")]
    [InlineData("/metrics?x=1")]
    public void A_path_that_is_not_a_path_is_named(string path)
    {
        var error = Assert.Single(Errors(new OperationsOptions { MetricsPath = path }));
        Assert.Contains("Backchannel:Operations:MetricsPath", error);
    }

    [Fact]
    public void Two_endpoints_on_one_path_are_named()
    {
        var error = Assert.Single(Errors(new OperationsOptions { HealthReadyPath = "/health", HealthLivePath = "/HEALTH" }));
        Assert.Contains("HealthLivePath and HealthReadyPath", error);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(65536)]
    public void A_port_out_of_range_is_named(int port)
    {
        var error = Assert.Single(Errors(new OperationsOptions { MetricsPort = port }));
        Assert.Contains("Backchannel:Operations:MetricsPort", error);
    }
}
