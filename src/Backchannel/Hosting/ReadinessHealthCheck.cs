using Backchannel.Abstractions;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Backchannel.Hosting;

/// <summary>/health/ready: the provider started and its store answers.</summary>
internal sealed class ReadinessHealthCheck(ReadinessState readiness, IStoreLifecycle store) : IHealthCheck
{
    public const string Tag = "ready";

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!readiness.IsReady)
        {
            return HealthCheckResult.Unhealthy("starting");
        }

        try
        {
            await store.PingAsync(cancellationToken);
            return HealthCheckResult.Healthy();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy("the store does not answer", ex);
        }
    }
}
