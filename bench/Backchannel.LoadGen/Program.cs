using System.Runtime.InteropServices;
using Backchannel.LoadGen;

LoadGenOptions options;
try
{
    options = LoadGenOptions.Parse(args);
}
catch (OptionsException ex)
{
    Console.Error.WriteLine($"error: {ex.Message}");
    Console.Error.WriteLine("run with --help for the options");
    return 2;
}

if (options.Help)
{
    Console.WriteLine(LoadGenOptions.Usage);
    return 0;
}

if (options.ServerPid is { } serverPid && !ProcessStats.Exists(serverPid))
{
    Console.Error.WriteLine($"error: --server-pid {serverPid}: no such process (/proc/{serverPid}/stat is not readable)");
    return 2;
}

if (options.Mode == RunMode.Polling && options.EffectiveRequestedExpiry is { } expiry
    && expiry < (options.Warmup + options.Duration).TotalSeconds + 30)
{
    Console.Error.WriteLine($"warning: requested_expiry {expiry} s is shorter than warm-up + duration + 30 s: requests will expire during the run (expired_token counts as a failed poll)");
}

// Ctrl+C or SIGTERM ends the measured window early; the run still reports. A second signal exits at once.
using var userStop = new CancellationTokenSource();
void OnStopSignal(PosixSignalContext context)
{
    if (!userStop.IsCancellationRequested)
    {
        context.Cancel = true;
        Console.Error.WriteLine($"{context.Signal}: ending the run early (again to quit without a report)");
        userStop.Cancel();
    }
}

using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnStopSignal);
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnStopSignal);

// Creating (polling) and polling loops may both be busy: room for twice the concurrency, plus discovery.
var maxConnections = options.Concurrency * (options.Mode == RunMode.Polling ? 2 : 1) + 4;
ProviderClient newClient;
try
{
    newClient = new ProviderClient(options, maxConnections);
}
catch (Exception ex) when (ex is System.Security.Cryptography.CryptographicException or InvalidOperationException or IOException)
{
    Console.Error.WriteLine($"error: --mtls-cert: {ex.Message}");
    return 2;
}

using var client = newClient;
var startedAt = DateTimeOffset.UtcNow;

try
{
    using var discoveryTimeout = new CancellationTokenSource(options.Timeout);
    await client.DiscoverAsync(options.Provider, discoveryTimeout.Token);
}
catch (Exception ex) when (ex is InvalidOperationException or OperationCanceledException)
{
    Console.Error.WriteLine($"error: provider not usable: {ex.Message}");
    return 2;
}

if (!options.Quiet)
{
    Console.Error.WriteLine($"provider {options.Provider}: bc-authorize {client.BcAuthorizeUri}, token {client.TokenUri}"
        + (client.Discovery!.CibaGrantAdvertised ? "" : " (grant_types_supported does not list the CIBA grant)"));
}

var hub = new MetricsHub();
var needsDevice = !(options.Mode == RunMode.Endpoint && options.Endpoint == TargetEndpoint.Discovery);
DeviceService? device = null;
try
{
    if (needsDevice)
    {
        device = new DeviceService(options, hub);
        try
        {
            await device.StartAsync(CancellationToken.None);
        }
        catch (Exception ex) when (ex is InvalidOperationException or OptionsException)
        {
            Console.Error.WriteLine($"error: device listener: {ex.Message}");
            return 2;
        }

        if (!options.Quiet)
        {
            Console.Error.WriteLine($"device service listening on {options.DeviceNotifyUrl} (bearer token expected)");
        }
    }

    var runner = new LoadRunner(options, client, device, hub);
    var outcome = await runner.RunAsync(userStop.Token);
    var report = ReportBuilder.Build(options, client, outcome, startedAt);

    Console.WriteLine(ReportBuilder.ToText(report));
    if (options.JsonPath is { } path)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }

        await File.WriteAllTextAsync(path, ReportBuilder.ToJson(report) + Environment.NewLine);
        if (!options.Quiet)
        {
            Console.Error.WriteLine($"report written to {path}");
        }
    }

    if (!report.Ok)
    {
        Console.Error.WriteLine($"FAILED: {report.Verdict}");
        return 1;
    }

    return 0;
}
finally
{
    if (device is not null)
    {
        await device.DisposeAsync();
    }
}
