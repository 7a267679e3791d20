using Microsoft.Extensions.Options;

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

/// <summary>Checks <c>Backchannel:Operations</c> at start.</summary>
public sealed class OperationsOptionsValidator : IValidateOptions<OperationsOptions>
{
    public ValidateOptionsResult Validate(string? name, OperationsOptions options)
    {
        var errors = new List<string>();
        var paths = new[] { ("HealthLivePath", options.HealthLivePath), ("HealthReadyPath", options.HealthReadyPath), ("MetricsPath", options.MetricsPath) };
        foreach (var (setting, path) in paths)
        {
            if (!string.IsNullOrEmpty(path) && (path[0] != '/' || path.Any(char.IsWhiteSpace) || path.Contains('?') || path.Contains('#')))
            {
                errors.Add($"Backchannel:Operations:{setting} '{path}' must be a path beginning with '/' (or empty to turn the endpoint off).");
            }
        }

        foreach (var twice in paths.Where(p => !string.IsNullOrEmpty(p.Item2)).GroupBy(p => p.Item2, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1))
        {
            errors.Add($"Backchannel:Operations: {string.Join(" and ", twice.Select(p => p.Item1))} are both '{twice.Key}'; give each endpoint its own path.");
        }

        if (options.MetricsPort is < 0 or > 65535)
        {
            errors.Add($"Backchannel:Operations:MetricsPort must be a port number (1 to 65535), or 0 to serve metrics on every port; it is {options.MetricsPort}.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
