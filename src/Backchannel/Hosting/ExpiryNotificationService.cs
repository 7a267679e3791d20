using Backchannel.Configuration;
using Backchannel.Delivery;
using Backchannel.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Backchannel.Hosting;

/// <summary>
/// Tells ping and push clients when their request expired undecided (<c>Notifications:NotifyOnExpiry</c>): a ping (the
/// client then gets expired_token), or an expired_token push. Checks every second; each request is told once.
/// </summary>
internal sealed partial class ExpiryNotificationService(
    IAuthenticationRequestStore requests,
    ClientNotifications notifications,
    OutboxDispatcher dispatcher,
    IOptions<BackchannelOptions> options,
    TimeProvider time,
    ILogger<ExpiryNotificationService> logger) : BackgroundService
{
    private static readonly TimeSpan CheckInterval = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Notifications.NotifyOnExpiry)
        {
            return;
        }

        using var timer = new PeriodicTimer(CheckInterval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                IReadOnlyList<FailureResult> expired;
                do
                {
                    expired = await requests.ClaimExpiredForNotificationAsync(time.GetUtcNow(), 500, notifications.ForExpiry, stoppingToken);
                    foreach (var (request, notification) in expired)
                    {
                        dispatcher.Dispatch(new OutboxWork(notification!, request));
                    }
                }
                while (expired.Count == 500);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogFailed(logger, ex);
            }
        }
    }

    [LoggerMessage(1, LogLevel.Error, "Notifying clients of expired requests failed; trying again in a second")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
