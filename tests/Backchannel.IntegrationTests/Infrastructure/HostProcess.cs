using System.Diagnostics;
using System.Text;

namespace Backchannel.IntegrationTests.Infrastructure;

/// <summary>
/// The runnable server (src/Backchannel.Host) as its own operating-system process, configured through environment
/// variables exactly as an operator would, so that tests can stop it politely or kill it.
/// </summary>
internal sealed class HostProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private HostProcess(Process process, string issuer)
    {
        _process = process;
        Issuer = issuer;
    }

    public string Issuer { get; }

    public int ProcessId => _process.Id;

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>
    /// What every test of the server as a process starts from: its SQLite file, the http device channel, plain-HTTP
    /// notifications to loopback allowed (the test receivers are local), and the user alice.
    /// </summary>
    public static Dictionary<string, string?> BaseSettings(string databasePath, string deviceNotifyUrl, string deviceToken) => new()
    {
        ["Backchannel:Storage:ConnectionString"] = $"Data Source={databasePath}",
        ["Backchannel:Channels:Http:Url"] = deviceNotifyUrl,
        ["Backchannel:Channels:Http:Token"] = deviceToken,
        ["Backchannel:Notifications:AllowHttp"] = "true",
        ["Backchannel:Notifications:AllowPrivateNetworks"] = "true",
        ["Backchannel:Users:0:sub"] = "alice-sub",
        ["Backchannel:Users:0:username"] = "alice",
    };

    /// <summary>Starts the host with <paramref name="settings"/> (configuration keys, e.g. Backchannel:Issuer) and waits until /health/ready answers.</summary>
    public static async Task<HostProcess> StartAsync(int port, IReadOnlyDictionary<string, string?> settings)
    {
        if (!File.Exists(RepositoryPaths.HostAssembly))
        {
            throw new FileNotFoundException("Build src/Backchannel.Host first; the tests run it as a process.", RepositoryPaths.HostAssembly);
        }

        var issuer = $"http://127.0.0.1:{port}";
        var start = new ProcessStartInfo("dotnet", [RepositoryPaths.HostAssembly, "--urls", issuer])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(RepositoryPaths.HostAssembly)!,
        };
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["Backchannel__Issuer"] = issuer;
        foreach (var (key, value) in settings)
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start.");
        var host = new HostProcess(process, issuer);
        process.OutputDataReceived += (_, e) => host.Append(e.Data);
        process.ErrorDataReceived += (_, e) => host.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"The host exited with {process.ExitCode}:\n{host.Output}");
            }

            try
            {
                if ((await http.GetAsync(issuer + "/health/ready")).IsSuccessStatusCode)
                {
                    return host;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }

            await Task.Delay(100);
        }

        await host.DisposeAsync();
        throw new TimeoutException($"The host did not become ready:\n{host.Output}");
    }

    /// <summary>SIGTERM, as a service manager stops a server, then waits for the exit.</summary>
    public async Task StopAsync()
    {
        if (_process.HasExited)
        {
            return;
        }

        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill!.WaitForExitAsync();
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await _process.WaitForExitAsync(timeout.Token);
    }

    /// <summary>SIGKILL: the process dies where it stands, with nothing flushed or disposed.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
    }
}
