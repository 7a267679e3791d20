using Backchannel.Decisions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Backchannel.Delivery;

/// <summary>
/// Tells ping and push clients when their request expired undecided (<c>Notifications:NotifyOnExpiry</c>): a ping (the
/// client then gets expired_token), or an expired_token push. Checks every second; each request is told once, whichever
/// node claims it.
/// </summary>
internal sealed partial class ExpiryNotificationService(
    DecisionService decisions,
    IOptions<NotificationOptions> options,
    TimeProvider time,
    ILogger<ExpiryNotificationService> logger) : BackgroundService
{
    private static readonly TimeSpan CheckInterval = TimeSpan.FromSeconds(1);
    private const int Batch = 500;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.NotifyOnExpiry)
        {
            return;
        }

        using var timer = new PeriodicTimer(CheckInterval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                while (await decisions.NotifyExpiredAsync(Batch, stoppingToken) == Batch)
                {
                }
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
