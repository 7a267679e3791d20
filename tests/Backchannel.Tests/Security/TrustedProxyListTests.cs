using System.Net;
using Backchannel.Security;

namespace Backchannel.Tests.Security;

public class TrustedProxyListTests
{
    private static TrustedProxyList List(params string[] entries) =>
        new(entries.Select(e => MtlsOptions.ParseNetwork(e) ?? throw new ArgumentException(e)).ToList());

    [Theory]
    [InlineData("10.0.0.5", "10.0.0.5", true)]
    [InlineData("10.0.0.5", "10.0.0.6", false)]
    [InlineData("10.1.0.0/16", "10.1.255.7", true)]
    [InlineData("10.1.0.0/16", "10.2.0.1", false)]
    [InlineData("10.0.0.5", "::ffff:10.0.0.5", true)]
    [InlineData("2001:db8::/64", "2001:db8::42", true)]
    [InlineData("2001:db8::/64", "2001:db8:1::42", false)]
    [InlineData("127.0.0.1", "::1", false)]
    public void A_peer_is_trusted_only_inside_a_listed_network(string entry, string peer, bool trusted)
    {
        Assert.Equal(trusted, List(entry).IsTrusted(IPAddress.Parse(peer)));
    }

    [Fact]
    public void No_address_is_not_trusted()
    {
        Assert.False(List("0.0.0.0/0").IsTrusted(null));
    }

    [Theory]
    [InlineData("10.0.0.1/33")]
    [InlineData("proxy.example.com")]
    [InlineData("10.0.0")]
    public void Entries_that_are_no_address_or_range_do_not_parse(string entry)
    {
        Assert.Null(MtlsOptions.ParseNetwork(entry));
    }
}
