using Backchannel.Security;

namespace Backchannel.Tests.Security;

public sealed class DpopOptionsValidatorTests
{
    [Fact]
    public void Defaults_are_valid_and_accept_asymmetric_algorithms_only()
    {
        var options = new DpopOptions();

        Assert.True(new DpopOptionsValidator().Validate(null, options).Succeeded);
        Assert.True(options.Enabled);
        Assert.False(options.RequireNonce);
        Assert.Contains("ES256", options.EffectiveSigningAlgorithms);
        Assert.DoesNotContain(options.EffectiveSigningAlgorithms, a => a.StartsWith("HS", StringComparison.Ordinal));
    }

    [Fact]
    public void A_lifetime_out_of_range_and_a_symmetric_algorithm_are_refused_by_name()
    {
        var result = new DpopOptionsValidator().Validate(null, new DpopOptions { ProofLifetimeSeconds = 0, SigningAlgorithms = ["HS256"] });

        Assert.True(result.Failed);
        Assert.Contains("Backchannel:Dpop:ProofLifetimeSeconds", result.FailureMessage);
        Assert.Contains("Backchannel:Dpop:SigningAlgorithms has 'HS256'", result.FailureMessage);
    }
}
