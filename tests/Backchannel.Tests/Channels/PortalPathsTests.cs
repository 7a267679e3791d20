using Backchannel.Abstractions;
using Backchannel.Channels.Portal;

namespace Backchannel.Tests.Channels;

public class PortalPathsTests
{
    private static readonly PortalPaths Paths = new(new ProviderUrls("https://op.example/ciba"));

    [Theory]
    [InlineData("/ciba/device", true)]
    [InlineData("/ciba/device?answer=approved", true)]
    [InlineData("/ciba/device/email/abc.def.ghi", true)]
    [InlineData("/ciba/devices", false)]
    [InlineData("/ciba/device/../admin", false)]
    [InlineData("//evil.example/ciba/device", false)]
    [InlineData("https://evil.example/ciba/device", false)]
    [InlineData("/ciba/device\\..\\x", false)]
    [InlineData("/device", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void Only_the_portals_own_pages_are_return_addresses(string? returnUrl, bool local) => Assert.Equal(local, Paths.IsLocal(returnUrl));

    [Fact]
    public void Paths_live_under_the_issuers_path_and_links_are_absolute()
    {
        Assert.Equal("/ciba/device", Paths.Portal);
        Assert.Equal("/ciba", Paths.CookiePath);
        Assert.Equal("/", new PortalPaths(new ProviderUrls("https://op.example")).CookiePath);
        Assert.Equal("/ciba/device/history?limit=2&cursor=MTIz", Paths.HistoryPage("MTIz", 2));
        Assert.Equal("https://op.example/ciba/device/history?cursor=MTIz", Paths.HistoryPageUrl("MTIz", null));
        Assert.Equal("/ciba/device/devices/a%2Fb/remove", Paths.DeviceRemoval("a/b"));
        Assert.Equal("https://op.example/ciba/device/email/a.b.c", Paths.EmailLink("a.b.c"));
        Assert.Equal("https://op.example/ciba/device/email", Paths.EmailAudience);
    }
}
