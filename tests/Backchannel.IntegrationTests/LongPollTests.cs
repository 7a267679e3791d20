using System.Net;
using Backchannel.IntegrationTests.Infrastructure;

namespace Backchannel.IntegrationTests;

/// <summary>Long polling at /token (<c>Ciba:LongPollSeconds</c>): a poll of a pending request is held until the user decides.</summary>
public sealed class LongPollTests(LongPollTests.Provider10s shared) : IClassFixture<LongPollTests.Provider10s>
{
    /// <summary>The provider with polls held up to 10 s.</summary>
    public sealed class Provider10s : SharedProvider
    {
        protected override Dictionary<string, string?> Settings() => new() { ["Backchannel:Ciba:LongPollSeconds"] = "10" };
    }

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    private TestProvider Provider => shared.Provider;

    [Fact]
    public async Task A_held_poll_answers_with_the_tokens_as_soon_as_the_user_approves()
    {
        var authorization = await Provider.AuthorizeAsync("alice", "Long poll approve");
        var notification = await Provider.Device.ForAsync("Long poll approve");

        var poll = Provider.RedeemAsync(authorization.AuthenticationRequestId!);
        await Task.Delay(300);
        Assert.False(poll.IsCompleted, "the poll should be held while the request is pending");

        Assert.Equal(HttpStatusCode.NoContent, (await Provider.Device.ApproveAsync(notification)).StatusCode);

        // The clock did not move: the held poll was woken by the decision, not by its time running out.
        var tokens = await poll.WaitAsync(Patience);
        Assert.False(tokens.IsError, tokens.Raw);
        Assert.NotNull(tokens.IdentityToken);
        Assert.NotNull(tokens.AccessToken);

        var again = await Provider.RedeemAsync(authorization.AuthenticationRequestId!);
        Assert.Equal("invalid_grant", again.Error);
    }

    [Fact]
    public async Task A_held_poll_answers_access_denied_when_the_user_denies()
    {
        var authorization = await Provider.AuthorizeAsync("alice", "Long poll deny");
        var notification = await Provider.Device.ForAsync("Long poll deny");

        var poll = Provider.RedeemAsync(authorization.AuthenticationRequestId!);
        await Task.Delay(300);
        Assert.False(poll.IsCompleted);
        Assert.Equal(HttpStatusCode.NoContent, (await Provider.Device.DenyAsync(notification)).StatusCode);

        var answer = await poll.WaitAsync(Patience);
        Assert.Equal("access_denied", answer.Error);
    }

    [Fact]
    public async Task A_held_poll_answers_authorization_pending_when_its_time_is_up()
    {
        var authorization = await Provider.AuthorizeAsync("alice", "Long poll timeout");
        await Provider.Device.ForAsync("Long poll timeout");

        var poll = Provider.RedeemAsync(authorization.AuthenticationRequestId!);
        await Task.Delay(300);
        Assert.False(poll.IsCompleted);

        Provider.FakeTime.Advance(TimeSpan.FromSeconds(9));
        await Task.Delay(200);
        Assert.False(poll.IsCompleted, "held for LongPollSeconds, not less");

        Provider.FakeTime.Advance(TimeSpan.FromSeconds(1));
        var answer = await poll.WaitAsync(Patience);
        Assert.Equal("authorization_pending", answer.Error);

        // The interval counts from the held poll's start: polling again now (10 s later) is not too fast.
        var next = Provider.RedeemAsync(authorization.AuthenticationRequestId!);
        await Task.Delay(300);
        Assert.False(next.IsCompleted, "a poll after the interval is held again, not answered slow_down");
        Provider.FakeTime.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal("authorization_pending", (await next.WaitAsync(Patience)).Error);
    }

    [Fact]
    public async Task A_poll_of_a_request_decided_before_it_arrived_is_answered_at_once()
    {
        var authorization = await Provider.AuthorizeAsync("alice", "Long poll decided first");
        var notification = await Provider.Device.ForAsync("Long poll decided first");
        await Provider.Device.ApproveAsync(notification);

        var tokens = await Provider.RedeemAsync(authorization.AuthenticationRequestId!).WaitAsync(Patience);
        Assert.False(tokens.IsError, tokens.Raw);
    }
}
