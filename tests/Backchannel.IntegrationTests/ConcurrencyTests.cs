using System.Net;
using Backchannel.IntegrationTests.Infrastructure;

namespace Backchannel.IntegrationTests;

/// <summary>A decision is made once and tokens are issued once, however many requests race; one provider for the class.</summary>
public class ConcurrencyTests(SharedProvider shared) : IClassFixture<SharedProvider>
{
    [Fact]
    public async Task Concurrent_token_requests_for_one_approved_request_get_exactly_one_token_response()
    {
        var provider = shared.Provider;
        var authorization = await provider.AuthorizeAsync();
        await provider.ApproveLastAsync();

        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => provider.RedeemAsync(authorization.AuthenticationRequestId!)));

        Assert.Single(responses, r => !r.IsError);
        Assert.All(responses.Where(r => r.IsError), r => Assert.Equal("invalid_grant", r.Error));
    }

    [Fact]
    public async Task Concurrent_callbacks_record_one_decision()
    {
        var provider = shared.Provider;
        var authorization = await provider.AuthorizeAsync();
        var notification = await provider.LastNotificationAsync();

        var answers = await Task.WhenAll(Enumerable.Range(0, 10).Select(i =>
            i % 2 == 0 ? provider.Device.ApproveAsync(notification) : provider.Device.DenyAsync(notification)));

        Assert.Single(answers, a => a.StatusCode == HttpStatusCode.NoContent);
        Assert.All(answers.Where(a => a.StatusCode != HttpStatusCode.NoContent), a => Assert.Equal(HttpStatusCode.Conflict, a.StatusCode));

        var token = await provider.RedeemAsync(authorization.AuthenticationRequestId!);
        var approved = answers.Select((a, i) => (a, i)).Single(x => x.a.StatusCode == HttpStatusCode.NoContent).i % 2 == 0;
        Assert.Equal(approved, !token.IsError);
    }
}
