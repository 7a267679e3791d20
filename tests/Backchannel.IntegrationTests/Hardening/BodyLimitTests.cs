using System.Text;
using Backchannel.IntegrationTests.Hardening.Support;
using Backchannel.IntegrationTests.Infrastructure;

namespace Backchannel.IntegrationTests.Hardening;

/// <summary>
/// Issue 16, item 3: request bodies are limited per endpoint as they are read, before the client is authenticated:
/// 64 KiB at /bc-authorize, 16 KiB at /token and at the device callback, 8 KiB at /userinfo. A chunked body (no
/// Content-Length) of 50 MB, produced only as fast as it is sent, gets 413 with the protocol's JSON error while only a
/// small part of it has been sent; a declared Content-Length over the limit gets 413 without a byte of the body. Before the
/// fix the callback checked only Content-Length and read a chunked body to its end, and /token and /bc-authorize read up
/// to Kestrel's 30 MB before looking at the client. One provider for the class.
/// </summary>
public sealed class BodyLimitTests(SharedProvider shared, Xunit.Abstractions.ITestOutputHelper output) : IClassFixture<SharedProvider>
{
    private const long Produced = 50L * 1024 * 1024;

    /// <summary>
    /// How much of a refused body may have been sent when the answer comes: the limit, plus what the kernel's socket
    /// buffers and Kestrel's request buffer (1 MB) hold on loopback (about 1.3 MB in all, measured). Far below what reading
    /// to the end (50 MB) or to Kestrel's own limit (30 MB) takes.
    /// </summary>
    private const long MostSentBeforeAnswer = 8L * 1024 * 1024;

    private TestProvider Provider => shared.Provider;

    private static string Basic(string id, string secret) => "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{id}:{secret}"));

    [Theory]
    [InlineData("/bc-authorize", "scope=openid&login_hint=alice&binding_message=")]
    [InlineData("/token", "grant_type=urn%3Aopenid%3Aparams%3Agrant-type%3Aciba&auth_req_id=")]
    public async Task A_chunked_form_body_over_the_limit_is_refused_with_413_long_before_its_end(string path, string prefix)
    {
        var response = await RawHttp.PostChunkedAsync(new Uri(Provider.Issuer + path), "application/x-www-form-urlencoded", prefix, Produced,
            Basic(TestClients.Poll, TestClients.PollSecret));

        AssertTooLarge(response);
        output.WriteLine($"{response.BodyBytesSent} bytes sent when the answer came.");
        Assert.True(response.BodyBytesSent < MostSentBeforeAnswer,
            $"{response.BodyBytesSent} bytes of the body had been sent when the provider answered {path}.");
    }

    [Fact]
    public async Task A_chunked_device_callback_body_over_the_limit_is_refused_with_413_long_before_its_end()
    {
        var authorization = await Provider.AuthorizeAsync();
        Assert.False(authorization.IsError, authorization.Raw);
        var notification = await Provider.LastNotificationAsync();

        var response = await RawHttp.PostChunkedAsync(new Uri(notification.CallbackUrl), "application/json", "{\"status\":\"approved\",\"acr\":\"",
            Produced, "Bearer " + notification.CallbackToken);

        AssertTooLarge(response);
        output.WriteLine($"{response.BodyBytesSent} bytes sent when the answer came.");
        Assert.True(response.BodyBytesSent < MostSentBeforeAnswer,
            $"{response.BodyBytesSent} bytes of the body had been sent when the provider answered the callback.");

        // The refused body decided nothing: the device can still approve.
        using var approval = await Provider.Device.ApproveAsync(notification);
        Assert.Equal(System.Net.HttpStatusCode.NoContent, approval.StatusCode);
    }

    [Theory]
    [InlineData("/bc-authorize", 64 * 1024)]
    [InlineData("/token", 16 * 1024)]
    [InlineData("/userinfo", 8 * 1024)]
    public async Task A_chunked_body_over_the_limit_is_413_and_one_under_it_is_read(string path, int limit)
    {
        var over = await RawHttp.PostChunkedAsync(new Uri(Provider.Issuer + path), "application/x-www-form-urlencoded", "x=", limit + 1,
            Basic(TestClients.Poll, TestClients.PollSecret));
        AssertTooLarge(over);

        // Within the limit the form is read and the request fails for what it is, not for its size. (Not limit - 1: Kestrel
        // counts the chunk framing too, so a chunked body a few bytes under the limit is refused; one chunk of limit - 512 is
        // clear of that.)
        var under = await RawHttp.PostChunkedAsync(new Uri(Provider.Issuer + path), "application/x-www-form-urlencoded", "x=", limit - 512,
            Basic(TestClients.Poll, TestClients.PollSecret));
        Assert.True(under.StatusCode != 413, $"{under.StatusCode} {under.Body}");
        Assert.InRange(under.StatusCode, 400, 499);
    }

    [Theory]
    [InlineData("/bc-authorize")]
    [InlineData("/token")]
    [InlineData("/userinfo")]
    public async Task A_declared_length_over_the_limit_is_413_without_waiting_for_the_body(string path)
    {
        // 50 MB announced, 10 bytes sent: an answer can only come from the header.
        var response = await RawHttp.PostDeclaredLengthAsync(new Uri(Provider.Issuer + path), "application/x-www-form-urlencoded", Produced,
            "scope=open", Basic(TestClients.Poll, TestClients.PollSecret), TimeSpan.FromSeconds(30));

        AssertTooLarge(response);
    }

    [Fact]
    public async Task A_declared_length_over_the_limit_at_the_device_callback_is_413_without_waiting_for_the_body()
    {
        var authorization = await Provider.AuthorizeAsync();
        Assert.False(authorization.IsError, authorization.Raw);
        var notification = await Provider.LastNotificationAsync();

        var response = await RawHttp.PostDeclaredLengthAsync(new Uri(notification.CallbackUrl), "application/json", Produced,
            "{\"status\":", "Bearer " + notification.CallbackToken, TimeSpan.FromSeconds(30));

        AssertTooLarge(response);
    }

    private static void AssertTooLarge(RawResponse response)
    {
        Assert.True(response.StatusCode == 413, $"Expected 413, got {response.StatusCode}: {response.Body}");
        Assert.StartsWith("application/json", response.Header("Content-Type"));
        var body = response.Json();
        Assert.Equal("invalid_request", body.GetProperty("error").GetString());
        Assert.False(string.IsNullOrWhiteSpace(body.GetProperty("error_description").GetString()));
    }
}
