using Backchannel.IntegrationTests.Infrastructure;
using Microsoft.Extensions.Options;

namespace Backchannel.IntegrationTests.Fapi;

/// <summary><c>Fapi:Profile</c> and the clients it governs are checked at start, each problem naming its setting.</summary>
public class FapiSettingsTests
{
    [Fact]
    public async Task An_unknown_profile_stops_the_start_naming_the_setting()
    {
        var failure = await Assert.ThrowsAsync<OptionsValidationException>(() =>
            TestProvider.StartAsync(new Dictionary<string, string?> { ["Backchannel:Fapi:Profile"] = "Fapi1" }));

        Assert.Contains("Backchannel:Fapi:Profile has 'Fapi1'; the profiles are None, Fapi1Ciba, Fapi2Ciba.", failure.Failures);
    }

    [Fact]
    public async Task A_configured_client_the_providers_profile_forbids_stops_the_start_naming_the_client()
    {
        // The test clients authenticate with secrets: under a provider-wide Fapi1Ciba each one is refused by name.
        var failure = await Assert.ThrowsAsync<OptionsValidationException>(() =>
            TestProvider.StartAsync(new Dictionary<string, string?> { ["Backchannel:Fapi:Profile"] = "Fapi1Ciba" }));

        Assert.Contains(failure.Failures, f => f.StartsWith($"Backchannel:Clients:0 ({TestClients.Poll}): Fapi1Ciba allows only confidential clients", StringComparison.Ordinal));
        Assert.Contains(failure.Failures, f => f.StartsWith($"Backchannel:Clients:4 ({TestClients.Signed}): Fapi1Ciba requires certificate-bound access tokens", StringComparison.Ordinal));
    }
}
