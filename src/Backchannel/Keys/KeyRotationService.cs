using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Backchannel.Keys;

/// <summary>
/// Applies the key rotation policy every hour: publishes the next key, promotes it when its time comes, drops retired
/// keys. Every node runs it; the store lock makes each change happen once, and each node reloads what the others did.
/// </summary>
internal sealed partial class KeyRotationService(KeyManager keys, TimeProvider time, ILogger<KeyRotationService> logger) : BackgroundService
{
    private static readonly TimeSpan CheckInterval = TimeSpan.FromHours(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(CheckInterval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await keys.RefreshAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogFailed(logger, ex);
            }
        }
    }

    [LoggerMessage(1, LogLevel.Error, "Key rotation failed; the current keys stay in use")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
