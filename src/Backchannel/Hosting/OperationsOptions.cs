namespace Backchannel.Hosting;

/// <summary>
/// Where the operations endpoints are served: <c>Backchannel:Operations</c>. <c>MapBackchannel(options => ...)</c> can
/// override them in code. An empty path turns an endpoint off.
/// </summary>
public sealed class OperationsOptions
{
    public string? HealthLivePath { get; set; } = "/health/live";

    public string? HealthReadyPath { get; set; } = "/health/ready";

    public string? MetricsPath { get; set; } = "/metrics";

    /// <summary>Serve /metrics only on this port (the server must listen on it too, e.g. <c>--urls "http://+:5000;http://127.0.0.1:9464"</c>); 0: every port.</summary>
    public int MetricsPort { get; set; }
}

/// <summary>The options of <c>MapBackchannel</c>: the operations endpoints' paths and port, from <c>Backchannel:Operations</c> unless set here.</summary>
public sealed class BackchannelEndpointOptions
{
    /// <summary>The liveness endpoint's path; null or empty: not mapped (say, when the host has its own).</summary>
    public string? HealthLivePath { get; set; }

    /// <summary>The readiness endpoint's path; null or empty: not mapped.</summary>
    public string? HealthReadyPath { get; set; }

    /// <summary>The Prometheus endpoint's path; null or empty: not mapped.</summary>
    public string? MetricsPath { get; set; }

    /// <summary>Serve metrics only on this port; 0: every port.</summary>
    public int MetricsPort { get; set; }

    internal static BackchannelEndpointOptions From(OperationsOptions operations) => new()
    {
        HealthLivePath = operations.HealthLivePath,
        HealthReadyPath = operations.HealthReadyPath,
        MetricsPath = operations.MetricsPath,
        MetricsPort = operations.MetricsPort,
    };
}
