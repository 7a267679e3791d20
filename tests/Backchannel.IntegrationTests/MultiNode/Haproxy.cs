using System.Diagnostics;
using System.Text;

namespace Backchannel.IntegrationTests.MultiNode;

/// <summary>
/// Debian's haproxy in front of provider nodes on loopback: round robin, a health check on /health/ready every 200 ms
/// (a node that stops answering leaves the rotation after two failed checks, so that one slow answer under load does
/// not take it out), and a request that could not reach a node
/// (connection refused) sent to another. Installed with apt-get when missing; a failure to install or start throws with
/// haproxy's output, so that the test fails loudly.
/// </summary>
internal sealed class Haproxy : IAsyncDisposable
{
    private const string Binary = "/usr/sbin/haproxy";
    private readonly Process _process;
    private readonly string _directory;
    private readonly StringBuilder _output = new();

    private Haproxy(Process process, string directory, int port)
    {
        _process = process;
        _directory = directory;
        Url = $"http://127.0.0.1:{port}";
    }

    /// <summary>The balancer's address: what clients, devices and the issuer use.</summary>
    public string Url { get; }

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

    public static async Task<Haproxy> StartAsync(int port, IReadOnlyList<int> nodePorts)
    {
        EnsureInstalled();
        var directory = Path.Combine(Path.GetTempPath(), "backchannel-tests", "haproxy-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var configuration = Path.Combine(directory, "haproxy.cfg");
        await File.WriteAllTextAsync(configuration, Configuration(port, nodePorts));

        var check = Run(Binary, ["-c", "-f", configuration]);
        if (check.ExitCode != 0)
        {
            throw new InvalidOperationException($"haproxy refused its configuration:\n{check.Output}");
        }

        var start = new ProcessStartInfo(Binary, ["-db", "-f", configuration])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var process = Process.Start(start) ?? throw new InvalidOperationException("haproxy did not start.");
        var haproxy = new Haproxy(process, directory, port);
        process.OutputDataReceived += (_, e) => haproxy.Append(e.Data);
        process.ErrorDataReceived += (_, e) => haproxy.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"haproxy exited with {process.ExitCode}:\n{haproxy.Output}");
            }

            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
            try
            {
                if ((await http.GetAsync(haproxy.Url + "/health/ready")).IsSuccessStatusCode)
                {
                    return haproxy;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                // Not listening yet.
            }

            await Task.Delay(100);
        }

        await haproxy.DisposeAsync();
        throw new TimeoutException($"haproxy did not forward to a ready node:\n{haproxy.Output}");
    }

    private static string Configuration(int port, IReadOnlyList<int> nodePorts)
    {
        var text = new StringBuilder($"""
            global
                maxconn 4096

            defaults
                mode http
                timeout connect 2s
                timeout client 60s
                timeout server 60s
                retries 3
                option redispatch
                option http-server-close

            frontend backchannel
                bind 127.0.0.1:{port}
                default_backend nodes

            backend nodes
                balance roundrobin
                option httpchk GET /health/ready
                default-server inter 200ms fall 2 rise 2

            """);
        for (var i = 0; i < nodePorts.Count; i++)
        {
            text.Append($"    server node{i} 127.0.0.1:{nodePorts[i]} check\n");
        }

        return text.ToString();
    }

    private static void EnsureInstalled()
    {
        if (File.Exists(Binary))
        {
            return;
        }

        var install = Run("apt-get", ["install", "-y", "-qq", "haproxy"]);
        if (install.ExitCode != 0)
        {
            Run("apt-get", ["update", "-qq"]);
            install = Run("apt-get", ["install", "-y", "-qq", "haproxy"]);
        }

        if (!File.Exists(Binary))
        {
            throw new InvalidOperationException($"haproxy is missing and apt-get could not install it:\n{install.Output}");
        }
    }

    private static (int ExitCode, string Output) Run(string program, IReadOnlyList<string> arguments)
    {
        var start = new ProcessStartInfo(program, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["DEBIAN_FRONTEND"] = "noninteractive";
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return (process.ExitCode, output.Result + error.Result);
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp directory is harmless.
        }
    }
}
