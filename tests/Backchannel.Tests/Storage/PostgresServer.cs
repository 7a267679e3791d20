using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Npgsql;

namespace Backchannel.Tests.Storage;

/// <summary>
/// A real PostgreSQL 15 server for the tests, started once per test process on a free loopback port, in a fresh data
/// directory under /tmp, with trust authentication and without fsync (nothing here needs to survive a power loss), and
/// stopped and removed when the process exits. If the server is not installed it is installed from Debian's packages
/// (<c>apt-get install postgresql</c>). Anything that fails throws with the output of the command that failed: a test
/// that needs PostgreSQL fails loudly, it is never skipped.
/// Self-contained (it needs only Npgsql), so that another test project can copy it as it is.
/// </summary>
public sealed class PostgresServer
{
    private const string BinDirectory = "/usr/lib/postgresql/15/bin";
    private const string DirectoryPrefix = "backchannel-pg-";
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromMinutes(2);
    private static readonly Lazy<PostgresServer> Shared = new(Start, LazyThreadSafetyMode.ExecutionAndPublication);

    private readonly NpgsqlDataSource _admin;
    private readonly string _options;

    private PostgresServer(string root, int port, string options)
    {
        Root = root;
        Port = port;
        _options = options;
        _admin = NpgsqlDataSource.Create(ConnectionString("postgres"));
    }

    /// <summary>The server of this test process, started by the first caller.</summary>
    public static PostgresServer Instance => Shared.Value;

    /// <summary>A server of the caller's own (for a test that stops and starts it), removed when the process ends.</summary>
    public static PostgresServer StartNew() => Start();

    /// <summary>Stops the server (fast shutdown: sessions are ended, committed data kept), as an outage would.</summary>
    public void Stop()
    {
        _admin.Clear();
        AsPostgres(Path.Combine(BinDirectory, "pg_ctl"), ["-D", Path.Combine(Root, "data"), "-m", "fast", "-w", "stop"], () => ReadLog(Root));
    }

    /// <summary>Starts the server again after <see cref="Stop"/>, on the same port with the same data.</summary>
    public void Restart()
    {
        _admin.Clear();
        AsPostgres(Path.Combine(BinDirectory, "pg_ctl"), ["-D", Path.Combine(Root, "data"), "-l", Path.Combine(Root, "server.log"), "-o", _options, "-w", "-t", "60", "start"],
            () => ReadLog(Root));
    }

    public string Host => "127.0.0.1";

    /// <summary>Where the server keeps its data, sockets and log (<c>server.log</c>).</summary>
    public string Root { get; }

    public int Port { get; }

    /// <summary>The connection string of <paramref name="database"/> on this server (user postgres, trusted: no password).</summary>
    public string ConnectionString(string database) =>
        new NpgsqlConnectionStringBuilder { Host = Host, Port = Port, Username = "postgres", Database = database }.ConnectionString;

    /// <summary>Creates an empty database; its name must be a plain identifier (letters, digits, underscores).</summary>
    public void CreateDatabase(string name) => Admin($"CREATE DATABASE {Identifier(name)}");

    /// <summary>Drops a database, ending the sessions still connected to it.</summary>
    public void DropDatabase(string name) => Admin($"DROP DATABASE IF EXISTS {Identifier(name)} WITH (FORCE)");

    private void Admin(string sql)
    {
        using var command = _admin.CreateCommand(sql);
        command.ExecuteNonQuery();
    }

    private static string Identifier(string name) =>
        name.Length > 0 && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_')
            ? name
            : throw new ArgumentException($"'{name}' is not a plain identifier.", nameof(name));

    private static PostgresServer Start()
    {
        EnsureInstalled();
        RemoveLeftovers();

        var root = Path.Combine(IsRoot ? "/tmp" : Path.GetTempPath(), $"{DirectoryPrefix}{Environment.ProcessId}-{Guid.NewGuid():N}");
        var data = Path.Combine(root, "data");
        var sockets = Path.Combine(root, "run");
        Directory.CreateDirectory(data);
        Directory.CreateDirectory(sockets);
        if (IsRoot)
        {
            // PostgreSQL refuses to run as root: the cluster belongs to the postgres user the package created.
            Run("chown", ["-R", "postgres:postgres", root]);
        }

        try
        {
            AsPostgres(Path.Combine(BinDirectory, "initdb"),
                ["-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync", "--no-instructions"]);
            var port = FreePort();
            var options = $"-p {port} -k {sockets} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off " +
                          "-c full_page_writes=off -c max_connections=300";
            AsPostgres(Path.Combine(BinDirectory, "pg_ctl"), ["-D", data, "-l", Path.Combine(root, "server.log"), "-o", options, "-w", "-t", "60", "start"],
                () => ReadLog(root));
            StartWatchdog(root);
            return new PostgresServer(root, port, options);
        }
        catch
        {
            TryStop(root);
            TryDelete(root);
            throw;
        }
    }

    /// <summary>
    /// Stops the server at once (<c>pg_ctl stop -m immediate</c>, the data is thrown away) and removes its directory when
    /// this process ends, however it ends: a detached shell polls for this process and cleans up after it. (The test host
    /// is ended too soon after its last test for a ProcessExit handler to stop a server, and a killed host runs none.)
    /// </summary>
    private static void StartWatchdog(string root)
    {
        var stop = string.Join(' ', (IsRoot ? [RunUser, "-u", "postgres", "--"] : Array.Empty<string>())
            .Concat([Path.Combine(BinDirectory, "pg_ctl"), "-D", Path.Combine(root, "data"), "-m", "immediate", "-w", "stop"])
            .Select(Quoted));
        var script = $"exec </dev/null >/dev/null 2>&1; while kill -0 {Environment.ProcessId}; do sleep 0.5; done; {stop}; rm -rf {Quoted(root)}";
        var start = new ProcessStartInfo(File.Exists("/usr/bin/setsid") ? "/usr/bin/setsid" : "/bin/sh")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = "/",
        };
        if (start.FileName != "/bin/sh")
        {
            start.ArgumentList.Add("/bin/sh");
        }

        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(script);
        using var watchdog = Process.Start(start) ?? throw new InvalidOperationException("The PostgreSQL server's watchdog did not start.");
    }

    private static string Quoted(string word) => "'" + word.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    private static void EnsureInstalled()
    {
        var initdb = Path.Combine(BinDirectory, "initdb");
        if (File.Exists(initdb))
        {
            return;
        }

        if (!IsRoot)
        {
            throw new InvalidOperationException($"{initdb} is missing, and only root can install it: run apt-get install -y postgresql (Debian's PostgreSQL 15).");
        }

        var install = Run("apt-get", ["install", "-y", "-qq", "postgresql"], check: false);
        if (install.ExitCode != 0 || !File.Exists(initdb))
        {
            // The package lists may be missing or stale.
            Run("apt-get", ["update", "-qq"]);
            Run("apt-get", ["install", "-y", "-qq", "postgresql"]);
        }

        if (!File.Exists(initdb))
        {
            throw new InvalidOperationException($"apt-get installed postgresql, but {initdb} is still missing: the tests need PostgreSQL 15 (Debian 12).");
        }
    }

    /// <summary>Stops the servers of earlier test processes that died without stopping theirs (a killed test host).</summary>
    private static void RemoveLeftovers()
    {
        foreach (var parent in new[] { "/tmp", Path.GetTempPath() }.Distinct())
        {
            if (!Directory.Exists(parent))
            {
                continue;
            }

            foreach (var directory in Directory.GetDirectories(parent, DirectoryPrefix + "*"))
            {
                var name = Path.GetFileName(directory)[DirectoryPrefix.Length..];
                if (int.TryParse(name.AsSpan(0, Math.Max(0, name.IndexOf('-', StringComparison.Ordinal))), out var pid) && !IsRunning(pid))
                {
                    TryStop(directory);
                    TryDelete(directory);
                }
            }
        }
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static void TryStop(string root)
    {
        if (File.Exists(Path.Combine(root, "data", "postmaster.pid")))
        {
            AsPostgres(Path.Combine(BinDirectory, "pg_ctl"), ["-D", Path.Combine(root, "data"), "-m", "immediate", "-w", "stop"], check: false);
        }
    }

    private static void TryDelete(string root)
    {
        // The server's last processes may still be closing files as it reports itself stopped.
        for (var attempt = 0; attempt < 5 && Directory.Exists(root); attempt++)
        {
            try
            {
                Directory.Delete(root, recursive: true);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Best effort: a directory left in /tmp is removed by the next run (RemoveLeftovers).
                Thread.Sleep(100);
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string ReadLog(string root)
    {
        try
        {
            return File.ReadAllText(Path.Combine(root, "server.log"));
        }
        catch (IOException ex)
        {
            return $"(no server log: {ex.Message})";
        }
    }

    private static bool IsRoot => Environment.UserName == "root";

    /// <summary>Runs a PostgreSQL program as the postgres user when this process is root (as itself otherwise).</summary>
    private static CommandResult AsPostgres(string program, IReadOnlyList<string> arguments, Func<string>? diagnostics = null, bool check = true) =>
        IsRoot
            ? Run(RunUser, ["-u", "postgres", "--", program, .. arguments], check, diagnostics)
            : Run(program, arguments, check, diagnostics);

    private static string RunUser =>
        new[] { "/usr/sbin/runuser", "/sbin/runuser", "/usr/bin/runuser" }.FirstOrDefault(File.Exists) ?? "runuser";

    private static CommandResult AsPostgres(string program, IReadOnlyList<string> arguments, bool check) =>
        AsPostgres(program, arguments, null, check);

    private static CommandResult Run(string program, IReadOnlyList<string> arguments, bool check = true, Func<string>? diagnostics = null)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = "/",
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["DEBIAN_FRONTEND"] = "noninteractive";
        var commandLine = $"{program} {string.Join(' ', arguments)}";
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException($"{commandLine} did not start.");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException($"{commandLine} cannot be started: {ex.Message}", ex);
        }

        using (process)
        {
            process.StandardInput.Close();
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(CommandTimeout))
            {
                process.Kill(entireProcessTree: true);
                throw new InvalidOperationException($"{commandLine} did not finish within {CommandTimeout.TotalSeconds:0} s.");
            }

            process.WaitForExit();
            var result = new CommandResult(process.ExitCode, output.Result + error.Result);
            if (check && result.ExitCode != 0)
            {
                var text = new StringBuilder($"{commandLine} failed with exit code {result.ExitCode}:\n{result.Output}");
                if (diagnostics is not null)
                {
                    text.Append("\n").Append(diagnostics());
                }

                throw new InvalidOperationException(text.ToString());
            }

            return result;
        }
    }

    private sealed record CommandResult(int ExitCode, string Output);
}
