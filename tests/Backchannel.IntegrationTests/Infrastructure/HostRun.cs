using System.Diagnostics;
using System.Text;

namespace Backchannel.IntegrationTests.Infrastructure;

/// <summary>Runs the server (src/Backchannel.Host) as a process that is expected to stop by itself: its exit code and output.</summary>
internal static class HostRun
{
    public static async Task<(int ExitCode, string Output)> RunToExitAsync(string environment, IReadOnlyDictionary<string, string?> settings,
        string[] arguments, TimeSpan timeout)
    {
        var start = new ProcessStartInfo("dotnet", [RepositoryPaths.HostAssembly, .. arguments])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(RepositoryPaths.HostAssembly)!,
        };
        start.Environment["ASPNETCORE_ENVIRONMENT"] = environment;
        foreach (var (key, value) in settings)
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start.");
        var output = new StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"The server did not stop by itself within {timeout}:\n{output}");
        }

        process.WaitForExit();
        lock (output)
        {
            return (process.ExitCode, output.ToString());
        }
    }
}
