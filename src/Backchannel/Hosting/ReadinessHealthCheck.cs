using Backchannel.Storage.Sqlite;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Backchannel.Hosting;

/// <summary>/health/ready: the provider started and its store answers.</summary>
internal sealed class ReadinessHealthCheck(ReadinessState readiness, SqliteDatabase database) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!readiness.IsReady)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy("starting"));
        }

        try
        {
            database.Read(session => session.Scalar("SELECT 1"));
            return Task.FromResult(HealthCheckResult.Healthy());
        }
        catch (Exception ex)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy("the store does not answer", ex));
        }
    }
}
