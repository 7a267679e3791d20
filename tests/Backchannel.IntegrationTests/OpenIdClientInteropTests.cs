using Backchannel.IntegrationTests.Infrastructure;

namespace Backchannel.IntegrationTests;

/// <summary>
/// An independent relying-party library, panva's openid-client v6 (Node.js), runs the poll flow against the provider (also
/// with DPoP, RFC 9449). One
/// provider for the class, on the system clock: the library waits its polling interval in real time.
/// </summary>
public class OpenIdClientInteropTests(SharedSystemClockProvider shared) : IClassFixture<SharedSystemClockProvider>
{
    [Fact]
    public async Task Openid_client_completes_a_poll_flow_reads_userinfo_and_refreshes()
    {
        var provider = shared.Provider;
        provider.Device.AutoDecision = "approved";

        var result = await NodeScript.RunAsync("openid-client", "ciba-flow.mjs", provider.Issuer, TestClients.Poll, TestClients.PollSecret, "alice");

        Assert.True(result.GetProperty("ok").GetBoolean(), result.ToString());
        Assert.Equal("alice-sub", result.GetProperty("sub").GetString());
        Assert.Equal(provider.Issuer, result.GetProperty("iss").GetString());
        Assert.Equal(1, result.GetProperty("interval").GetInt32());
        Assert.Equal("alice@example.com", result.GetProperty("userinfo_email").GetString());
        Assert.True(result.GetProperty("has_refresh_token").GetBoolean());
        Assert.True(result.GetProperty("refreshed").GetProperty("rotated").GetBoolean());
        Assert.Equal("alice-sub", result.GetProperty("refreshed").GetProperty("sub").GetString());
    }

    [Fact]
    public async Task Openid_client_with_DPoP_gets_bound_tokens_reads_userinfo_with_proofs_and_refreshes_bound()
    {
        var provider = shared.Provider;
        provider.Device.AutoDecision = "approved";

        var result = await NodeScript.RunAsync("openid-client", "ciba-dpop-flow.mjs", provider.Issuer, TestClients.Poll, TestClients.PollSecret, "alice");

        Assert.True(result.GetProperty("ok").GetBoolean(), result.ToString());
        // openid-client reports token_type in lower case (it is case-insensitive, RFC 6749 5.1).
        Assert.Equal("DPoP", result.GetProperty("token_type").GetString(), ignoreCase: true);
        var thumbprint = result.GetProperty("key_thumbprint").GetString();
        Assert.Equal(thumbprint, result.GetProperty("jkt").GetString());
        Assert.Equal("alice-sub", result.GetProperty("sub").GetString());
        Assert.Equal("alice@example.com", result.GetProperty("userinfo_email").GetString());
        Assert.Equal(401, result.GetProperty("bearer_status").GetInt32());
        Assert.StartsWith("DPoP ", result.GetProperty("bearer_challenge").GetString(), StringComparison.Ordinal);
        Assert.Contains("ES256", result.GetProperty("dpop_algs").EnumerateArray().Select(a => a.GetString()));
        Assert.Equal("DPoP", result.GetProperty("refreshed").GetProperty("token_type").GetString(), ignoreCase: true);
        Assert.Equal(thumbprint, result.GetProperty("refreshed").GetProperty("jkt").GetString());
    }

    [Fact]
    public async Task Openid_client_sees_a_denial_as_access_denied()
    {
        var provider = shared.Provider;
        provider.Device.AutoDecision = "denied";

        var result = await NodeScript.RunAsync("openid-client", "ciba-flow.mjs", provider.Issuer, TestClients.Poll, TestClients.PollSecret, "bob");

        Assert.False(result.GetProperty("ok").GetBoolean());
        Assert.Equal("access_denied", result.GetProperty("error").GetString());
    }
}
