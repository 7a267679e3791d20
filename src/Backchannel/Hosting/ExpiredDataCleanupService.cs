using Backchannel.Abstractions;
using Backchannel.Channels.Http;
using Backchannel.Events;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Backchannel.Hosting;

/// <summary>
/// Removes what has expired: requests after the retention period (until then their client still gets expired_token or
/// invalid_grant), used JWT ids and e-mail links, counts of failed sign-ins, refresh token families whose every
/// token expired, and audit trail events older than <c>Audit:RetentionDays</c> (at most <see cref="AuditBatch"/> times <see cref="AuditBatchesPerRun"/> per run, so that a
/// long backlog is worked off over several runs instead of holding the store).
/// </summary>
internal sealed partial class ExpiredDataCleanupService(
    IAuthenticationRequestStore requests,
    IReplayCache replayCache,
    IRefreshTokenStore refreshTokens,
    IRevokedAccessTokenStore revokedAccessTokens,
    IAuditStore audit,
    ISignInFailureStore signInFailures,
    CallbackTokens callbackTokens,
    IOptions<StorageOptions> options,
    IOptions<AuditOptions> auditOptions,
    TimeProvider time,
    ILogger<ExpiredDataCleanupService> logger) : BackgroundService
{
    private const int AuditBatch = 5_000;
    private const int AuditBatchesPerRun = 20;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var storage = options.Value;
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(storage.CleanupIntervalSeconds), time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                var now = time.GetUtcNow();
                callbackTokens.ForgetExpired(now);
                var removed = await requests.DeleteExpiredAsync(now.AddSeconds(-storage.ExpiredRequestRetentionSeconds), stoppingToken)
                    + await replayCache.DeleteExpiredAsync(now, stoppingToken)
                    + await refreshTokens.DeleteExpiredAsync(now, stoppingToken)
                    + await revokedAccessTokens.DeleteExpiredAsync(now, stoppingToken)
                    + await DeleteOldAuditEventsAsync(now.AddDays(-auditOptions.Value.RetentionDays), stoppingToken)
                    + await signInFailures.DeleteExpiredAsync(now, stoppingToken);
                if (removed > 0)
                {
                    LogRemoved(logger, removed);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogFailed(logger, ex);
            }
        }
    }

    private async Task<int> DeleteOldAuditEventsAsync(DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        var removed = 0;
        for (var batch = 0; batch < AuditBatchesPerRun; batch++)
        {
            var deleted = await audit.DeleteOlderThanAsync(cutoff, AuditBatch, cancellationToken);
            removed += deleted;
            if (deleted < AuditBatch)
            {
                break;
            }
        }

        return removed;
    }

    [LoggerMessage(1, LogLevel.Debug, "Removed {Count} expired rows")]
    private static partial void LogRemoved(ILogger logger, int count);

    [LoggerMessage(2, LogLevel.Error, "Removing expired data failed")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
