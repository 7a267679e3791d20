using System.Net;
using Backchannel.Protocol;

namespace Backchannel.Tests;

public class NotificationEndpointRulesTests
{
    [Theory]
    [InlineData("8.8.8.8")]
    [InlineData("1.1.1.1")]
    [InlineData("172.15.255.255")]
    [InlineData("172.32.0.1")]
    [InlineData("100.63.255.255")]
    [InlineData("100.128.0.1")]
    [InlineData("192.169.0.1")]
    [InlineData("169.253.1.1")]
    [InlineData("223.255.255.254")]
    [InlineData("2001:4860::8888")]
    [InlineData("2606:4700:4700::1111")]
    [InlineData("::ffff:8.8.8.8")]
    public void Globally_routable_addresses_are_public(string address)
    {
        Assert.True(NotificationEndpointRules.IsPublic(IPAddress.Parse(address)));
    }

    [Theory]
    [InlineData("10.0.0.1")]
    [InlineData("10.255.255.255")]
    [InlineData("172.16.0.1")]
    [InlineData("172.31.255.255")]
    [InlineData("192.168.0.1")]
    [InlineData("192.168.255.255")]
    [InlineData("100.64.0.1")]
    [InlineData("100.127.255.255")]
    [InlineData("127.0.0.1")]
    [InlineData("127.255.255.254")]
    [InlineData("169.254.0.1")]
    [InlineData("169.254.169.254")]
    [InlineData("0.0.0.0")]
    [InlineData("0.1.2.3")]
    [InlineData("224.0.0.1")]
    [InlineData("239.255.255.250")]
    [InlineData("240.0.0.1")]
    [InlineData("255.255.255.255")]
    [InlineData("192.0.2.1")]
    [InlineData("198.18.0.1")]
    [InlineData("::")]
    [InlineData("::1")]
    [InlineData("fe80::1")]
    [InlineData("fec0::1")]
    [InlineData("fc00::1")]
    [InlineData("fd12:3456:789a::1")]
    [InlineData("ff02::1")]
    [InlineData("2001:db8::1")]
    [InlineData("64:ff9b::a00:1")]
    [InlineData("::ffff:10.0.0.1")]
    [InlineData("::ffff:127.0.0.1")]
    [InlineData("::ffff:169.254.169.254")]
    [InlineData("2002:0a00:0001::1")]
    [InlineData("2001:0:4136:e378:8000:63bf:3fff:fdd2")]
    [InlineData("::10.0.0.1")]
    public void Private_loopback_link_local_multicast_and_reserved_addresses_are_not_public(string address)
    {
        Assert.False(NotificationEndpointRules.IsPublic(IPAddress.Parse(address)));
    }

    [Fact]
    public void Check_accepts_an_https_url_with_a_host_name()
    {
        Assert.Null(NotificationEndpointRules.Check("https://rp.example.com/cb?x=1", false, false, out var uri));
        Assert.Equal(new Uri("https://rp.example.com/cb?x=1"), uri);
    }

    [Fact]
    public void Check_accepts_a_public_ip_literal()
    {
        Assert.Null(NotificationEndpointRules.Check("https://8.8.8.8/cb", false, false, out _));
        Assert.Null(NotificationEndpointRules.Check("https://[2001:4860::8888]/cb", false, false, out _));
    }

    [Theory]
    [InlineData(null, "must be an absolute URL")]
    [InlineData("", "must be an absolute URL")]
    [InlineData("rp.example.com/cb", "must be an absolute URL")]
    [InlineData("http://rp.example.com/cb", "must be an https URL")]
    [InlineData("https://user:secret@rp.example.com/cb", "must not carry credentials")]
    [InlineData("https://rp.example.com/cb#x", "must not have a fragment")]
    [InlineData("https://localhost/cb", "must not point at a loopback address")]
    [InlineData("https://[::1]:8443/cb", "must not point at a loopback address")]
    [InlineData("https://10.1.2.3/cb", "must not point at a private")]
    [InlineData("https://[fe80::1]/cb", "must not point at a private")]
    public void Check_refuses_with_a_reason(string? url, string reason)
    {
        var problem = NotificationEndpointRules.Check(url, allowHttp: false, allowPrivateNetworks: false, out var uri);

        Assert.NotNull(problem);
        Assert.StartsWith(reason, problem, StringComparison.Ordinal);
        Assert.Null(uri);
    }

    [Fact]
    public void Check_allows_http_and_loopback_when_the_settings_allow_them()
    {
        Assert.Null(NotificationEndpointRules.Check("http://127.0.0.1:5000/cb", allowHttp: true, allowPrivateNetworks: true, out var uri));
        Assert.Equal(5000, uri!.Port);
    }

    [Fact]
    public void Check_still_refuses_other_schemes_when_http_is_allowed()
    {
        Assert.Equal("must be an http or https URL", NotificationEndpointRules.Check("ftp://rp.example.com/", true, true, out _));
    }
}
