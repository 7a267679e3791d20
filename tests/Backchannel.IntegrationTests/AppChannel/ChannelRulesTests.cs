using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Backchannel.IntegrationTests.Infrastructure;

namespace Backchannel.IntegrationTests.AppChannel;

/// <summary>
/// Channel rules with the app channel (see <see cref="AppChannelProvider"/> for the rules): a user of the app without a
/// device falls through to the next candidate, a long request goes elsewhere by rule, and a request sent to two channels
/// is decided by whichever answers first, the other seeing it decided.
/// </summary>
public class ChannelRulesTests(AppChannelProvider shared) : IClassFixture<AppChannelProvider>
{
    private TestProvider Provider => shared.Provider;

    private static string NewBindingMessage() => "rules " + Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task A_user_of_the_app_without_a_registered_device_is_reached_through_the_next_channel()
    {
        var bindingMessage = NewBindingMessage();
        var authorization = await Provider.AuthorizeAsync("carol", bindingMessage);
        Assert.False(authorization.IsError, authorization.Raw);

        var notification = await Provider.Device.ForAsync(bindingMessage);
        Assert.Equal("carol-sub", notification.Body.GetProperty("subject").GetString());
        Assert.Equal(HttpStatusCode.NoContent, (await Provider.Device.ApproveAsync(notification)).StatusCode);
        Assert.False((await Provider.RedeemAsync(authorization.AuthenticationRequestId!)).IsError);
    }

    [Fact]
    public async Task A_long_request_of_a_user_with_a_device_goes_by_rule_to_the_other_channel_and_a_short_one_to_the_app()
    {
        var device = await shared.RegisteredDeviceAsync();

        var longMessage = NewBindingMessage();
        var longRequest = await Provider.AuthorizeAsync("alice", longMessage, configure: r => r.RequestedExpiry = 900);
        Assert.False(longRequest.IsError, longRequest.Raw);
        Assert.NotNull(await Provider.Device.ForAsync(longMessage));
        Assert.Empty(TestAppDevice.WithBindingMessage((await device.PendingAsync()).Body, longMessage));

        var shortMessage = NewBindingMessage();
        var shortRequest = await Provider.AuthorizeAsync("alice", shortMessage, configure: r => r.RequestedExpiry = 60);
        Assert.False(shortRequest.IsError, shortRequest.Raw);
        Assert.Single(TestAppDevice.WithBindingMessage((await device.PendingAsync(waitSeconds: 5)).Body, shortMessage));
        Assert.Equal("http", await ChannelOfAsync(longMessage));
        Assert.Equal("app", await ChannelOfAsync(shortMessage));
    }

    [Fact]
    public async Task Two_channels_are_notified_and_the_apps_decision_first_wins_over_the_device_service()
    {
        var device = await shared.RegisteredDeviceAsync();
        var (authReqId, bindingMessage) = await AuthorizeBothAsync();

        Assert.Equal("app,http", await ChannelOfAsync(bindingMessage));
        var notification = await Provider.Device.ForAsync(bindingMessage);
        var transactionId = Assert.Single(TestAppDevice.WithBindingMessage((await device.PendingAsync(waitSeconds: 5)).Body, bindingMessage));
        Assert.Equal(notification.TransactionId, transactionId);

        using (var approved = await device.DecideAsync(device.DecisionJwt(transactionId)))
        {
            await approved.AssertStatusAsync(HttpStatusCode.NoContent);
        }

        using var late = await Provider.Device.DenyAsync(notification);
        await late.AssertStatusAsync(HttpStatusCode.Conflict);
        Assert.False((await Provider.RedeemAsync(authReqId, TestClients.Post, TestClients.PostSecret)).IsError);
    }

    [Fact]
    public async Task Two_channels_are_notified_and_the_device_services_decision_first_wins_over_the_app_which_sees_it_decided()
    {
        var device = await shared.RegisteredDeviceAsync();
        await using var stream = await device.OpenStreamAsync();
        var (authReqId, bindingMessage) = await AuthorizeBothAsync();
        var shown = await stream.NextAboutAsync(e => e.Event == "request" && e.Data.GetProperty("binding_message").GetString() == bindingMessage);
        var transactionId = shown.Data.GetProperty("transaction_id").GetString()!;

        using (var denied = await Provider.Device.DenyAsync(await Provider.Device.ForAsync(bindingMessage)))
        {
            await denied.AssertStatusAsync(HttpStatusCode.NoContent);
        }

        var closed = await stream.NextAboutAsync(e => e.Event == "closed" && e.Data.GetProperty("transaction_id").GetString() == transactionId);
        Assert.Equal("denied", closed.Data.GetProperty("status").GetString());
        using var late = await device.DecideAsync(device.DecisionJwt(transactionId));
        await late.AssertStatusAsync(HttpStatusCode.Conflict);
        Assert.Equal("already_decided", (await late.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString());
        Assert.Equal("access_denied", (await Provider.RedeemAsync(authReqId, TestClients.Post, TestClients.PostSecret)).Error);
    }

    [Fact]
    public async Task A_channel_that_refuses_a_request_of_two_channels_leaves_it_to_the_other()
    {
        var device = await shared.RegisteredDeviceAsync();
        var bindingMessage = NewBindingMessage();
        Provider.Device.AnswerNextFor(bindingMessage, 404);
        var authorization = await Provider.AuthorizeAsync("alice", bindingMessage, TestClients.Post, TestClients.PostSecret);
        Assert.False(authorization.IsError, authorization.Raw);
        var authReqId = authorization.AuthenticationRequestId!;

        // Both notifications done with: the app's delivered, the device service's refused and given up.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while ((Provider.Device.CallsFor(bindingMessage) == 0 || (await Provider.OutboxForAsync(authReqId)).Count > 0) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        Assert.Equal(1, Provider.Device.CallsFor(bindingMessage));
        Assert.Empty(await Provider.OutboxForAsync(authReqId));
        Assert.Equal("authorization_pending", (await Provider.RedeemAsync(authReqId, TestClients.Post, TestClients.PostSecret)).Error);
        var transactionId = Assert.Single(TestAppDevice.WithBindingMessage((await device.PendingAsync()).Body, bindingMessage));
        using var approved = await device.DecideAsync(device.DecisionJwt(transactionId));
        await approved.AssertStatusAsync(HttpStatusCode.NoContent);
        Assert.False((await Provider.RedeemAsync(authReqId, TestClients.Post, TestClients.PostSecret)).IsError);
    }

    /// <summary>The channels the request with this binding message was sent to, as stored.</summary>
    private async Task<string> ChannelOfAsync(string bindingMessage)
    {
        await using var database = Provider.OpenDatabase();
        await using var command = database.CreateCommand();
        command.CommandText = "SELECT channel FROM auth_requests WHERE binding_message = $message";
        command.Parameters.AddWithValue("$message", bindingMessage);
        return (string)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>A request of the post client for alice: the app and the http device service both, by rule.</summary>
    private async Task<(string AuthReqId, string BindingMessage)> AuthorizeBothAsync()
    {
        var bindingMessage = NewBindingMessage();
        var authorization = await Provider.AuthorizeAsync("alice", bindingMessage, TestClients.Post, TestClients.PostSecret);
        Assert.False(authorization.IsError, authorization.Raw);
        return (authorization.AuthenticationRequestId!, bindingMessage);
    }
}
