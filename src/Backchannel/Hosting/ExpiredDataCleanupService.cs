using Backchannel.Abstractions;
using Backchannel.Channels.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Backchannel.Hosting;

/// <summary>
/// Removes what has expired: requests after the retention period (until then their client still gets expired_token or
/// invalid_grant), used JWT ids and e-mail links, counts of failed sign-ins, and refresh token families whose every token expired.
/// </summary>
internal sealed partial class ExpiredDataCleanupService(
    IAuthenticationRequestStore requests,
    IReplayCache replayCache,
    IRefreshTokenStore refreshTokens,
    IRevokedAccessTokenStore revokedAccessTokens,
    ISignInFailureStore signInFailures,
    CallbackTokens callbackTokens,
    IOptions<StorageOptions> options,
    TimeProvider time,
    ILogger<ExpiredDataCleanupService> logger) : BackgroundService
{
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

    [LoggerMessage(1, LogLevel.Debug, "Removed {Count} expired rows")]
    private static partial void LogRemoved(ILogger logger, int count);

    [LoggerMessage(2, LogLevel.Error, "Removing expired data failed")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
