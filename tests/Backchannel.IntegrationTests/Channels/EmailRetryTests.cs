using Backchannel.Domain;
using Backchannel.IntegrationTests.Infrastructure;

namespace Backchannel.IntegrationTests.Channels;

/// <summary>An SMTP server that cannot be reached is a transient failure: the outbox tries again, and the mail goes once the server is there.</summary>
public sealed class EmailRetryTests
{
    [Fact]
    public async Task A_mail_server_that_is_down_is_retried_by_the_outbox_until_it_answers()
    {
        var port = FreePort.Next();
        var clock = new TestClock();
        await using var provider = await TestProvider.StartAsync(MailSettings.Through(port), time: clock);

        var message = "Retry " + Guid.NewGuid().ToString("N")[..8];
        var authorization = await provider.AuthorizeAsync("alice", message);
        Assert.False(authorization.IsError, authorization.Raw);

        var deadline = DateTime.UtcNow.AddSeconds(20);
        int attempts;
        while ((attempts = (await provider.OutboxForAsync(authorization.AuthenticationRequestId!))
                   .Where(m => m.Kind == OutboxKind.DeviceNotification).Sum(m => m.Attempts)) < 2 && DateTime.UtcNow < deadline)
        {
            await clock.StepAsync(TimeSpan.FromSeconds(1));
            await Task.Delay(ClockSteps.StepPause);
        }

        Assert.True(attempts >= 2, $"the outbox made {attempts} attempts");

        await using var smtp = await SmtpServer.StartAsync(port);
        await clock.AdvanceInStepsAsync(TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(2), () => smtp.For(message).Count > 0);
        var mail = Assert.Single(await smtp.WaitForAsync(message, 1));
        Assert.Equal("alice@example.com", mail.Message.To.Mailboxes.Single().Address);
        Assert.Equal("authorization_pending", (await provider.RedeemAsync(authorization.AuthenticationRequestId!)).Error);
    }
}
