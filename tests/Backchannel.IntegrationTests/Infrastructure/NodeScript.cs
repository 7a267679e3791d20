using System.Diagnostics;
using System.Text.Json;

namespace Backchannel.IntegrationTests.Infrastructure;

/// <summary>Runs a Node.js script of tests/interop and reads the JSON line it prints.</summary>
internal static class NodeScript
{
    public static async Task<JsonElement> RunAsync(string folder, string script, params string[] arguments)
    {
        var directory = Path.Combine(RepositoryPaths.Root, "tests", "interop", folder);
        if (!Directory.Exists(Path.Combine(directory, "node_modules")))
        {
            throw new InvalidOperationException(
                $"{directory}/node_modules is missing: run `npm ci --prefix tests/interop/{folder}` (./build.sh test does it).");
        }

        var start = new ProcessStartInfo("node", [script, .. arguments])
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException("node did not start; install Node.js 20.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);

        var lines = (await output).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (process.ExitCode != 0 || lines.Length == 0)
        {
            throw new InvalidOperationException($"node {script} exited with {process.ExitCode}:\n{await output}\n{await error}");
        }

        return JsonDocument.Parse(lines[^1]).RootElement.Clone();
    }
}
