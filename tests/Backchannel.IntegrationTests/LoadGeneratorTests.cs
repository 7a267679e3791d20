using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Backchannel.IntegrationTests.Infrastructure;

namespace Backchannel.IntegrationTests;

/// <summary>
/// The benchmark's load generator (bench/Backchannel.LoadGen) against the server process, configured as bench/lib.sh
/// configures it: complete flows in each delivery mode, the generator playing the device service and, for ping and
/// push, the client's notification endpoint. Keeps the benchmark runnable: a change that breaks it fails here. The
/// server is cold (its first flows are compiled as they run, a push's delivery path last), so 2 s of warm-up come before
/// the measured window, as the benchmark has its own. bench/sender.sh's two other ways (poll): --dpop (a DPoP proof on
/// every token request, DPoP tokens) and --mtls-cert (tls_client_auth over the https alias listener, certificate-bound
/// tokens), each checked by the generator on every flow.
/// </summary>
public class LoadGeneratorTests
{
    [Theory]
    [InlineData("poll", "bench-client", null)]
    [InlineData("ping", "bench-ping", null)]
    [InlineData("push", "bench-push", null)]
    [InlineData("poll", "bench-client", "dpop")]
    [InlineData("poll", "bench-mtls", "mtls")]
    public async Task The_load_generator_completes_flows_without_failures(string delivery, string clientId, string? sender)
    {
        Assert.True(File.Exists(RepositoryPaths.LoadGenAssembly), $"build bench/Backchannel.LoadGen first: {RepositoryPaths.LoadGenAssembly}");
        var directory = Path.Combine(Path.GetTempPath(), "backchannel-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var devicePort = FreePort.Next();
        var device = $"http://127.0.0.1:{devicePort}";
        var settings = HostProcess.BaseSettings(Path.Combine(directory, "bench.db"), device + "/notify", "bench-device-token");
        settings["Backchannel:Ciba:MaxRequestsPerUserPerMinute"] = "0";
        string[] modes = ["poll", "ping", "push"];
        for (var i = 0; i < modes.Length; i++)
        {
            settings[$"Backchannel:Clients:{i}:client_id"] = i == 0 ? "bench-client" : "bench-" + modes[i];
            settings[$"Backchannel:Clients:{i}:client_secret"] = "bench-secret";
            settings[$"Backchannel:Clients:{i}:backchannel_token_delivery_mode"] = modes[i];
            if (i > 0)
            {
                settings[$"Backchannel:Clients:{i}:backchannel_client_notification_endpoint"] = device + "/client-notify";
            }
        }

        string[] senderArgs = sender == "dpop" ? ["--dpop"] : [];
        var port = FreePort.Next();
        if (sender == "mtls")
        {
            // As bench/sender.sh: the http listener and the https alias listener, a tls_client_auth client by subject DN.
            var certificates = MtlsCertificates.Create(directory);
            var aliasBase = $"https://127.0.0.1:{FreePort.Next()}";
            foreach (var (key, value) in certificates.ProviderSettings(aliasBase))
            {
                settings[key] = value;
            }

            settings["Kestrel:Endpoints:Http:Url"] = $"http://127.0.0.1:{port}";
            settings["Backchannel:Clients:3:client_id"] = "bench-mtls";
            settings["Backchannel:Clients:3:token_endpoint_auth_method"] = "tls_client_auth";
            settings["Backchannel:Clients:3:tls_client_auth_subject_dn"] = "CN=bench-mtls-client, O=Backchannel Bench, C=GB";
            settings["Backchannel:Clients:3:backchannel_token_delivery_mode"] = "poll";
            settings["Backchannel:Clients:3:tls_client_certificate_bound_access_tokens"] = "true";
            using var certificate = certificates.Client("CN=bench-mtls-client, O=Backchannel Bench, C=GB");
            var pfx = Path.Combine(directory, "client.pfx");
            await File.WriteAllBytesAsync(pfx, certificate.Export(System.Security.Cryptography.X509Certificates.X509ContentType.Pkcs12));
            senderArgs = ["--mtls-cert", pfx, "--mtls-base", aliasBase, "--mtls-server-ca", certificates.ServerCaFile];
        }

        await using var server = await HostProcess.StartAsync(port, settings);
        var json = Path.Combine(directory, "report.json");
        var start = new ProcessStartInfo("dotnet",
        [
            RepositoryPaths.LoadGenAssembly, "flows", "--delivery", delivery, "--client-id", clientId,
            "--provider", server.Issuer, "--device-listen", device + "/notify",
            "--concurrency", "4", "--warmup", "2", "--duration", "3s", "--quiet",
            "--server-pid", server.ProcessId.ToString(CultureInfo.InvariantCulture), "--json", json, .. senderArgs,
        ])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var loadgen = Process.Start(start)!;
        var output = loadgen.StandardOutput.ReadToEndAsync();
        var errors = loadgen.StandardError.ReadToEndAsync();
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60)))
        {
            await loadgen.WaitForExitAsync(timeout.Token);
        }

        var printed = await output + await errors;
        Assert.True(loadgen.ExitCode == 0, $"the load generator exited with {loadgen.ExitCode}:\n{printed}\nserver:\n{server.Output}");

        using var report = JsonDocument.Parse(await File.ReadAllTextAsync(json));
        var root = report.RootElement;
        Assert.Equal(delivery, root.GetProperty("delivery").GetString());
        Assert.Equal(sender, root.TryGetProperty("sender_constraint", out var constraint) ? constraint.GetString() : null);
        var flows = root.GetProperty("flows");
        Assert.True(flows.GetProperty("completed").GetInt64() > 0, printed);
        Assert.Equal(0, flows.GetProperty("failed").GetInt64());
        var endpoints = root.GetProperty("endpoints").EnumerateArray().Select(e => e.GetProperty("name").GetString()).ToList();
        Assert.Equal(delivery != "poll", endpoints.Contains("client-notify"));
        Assert.Equal(delivery != "push", endpoints.Contains("token"));
        Assert.True(root.GetProperty("server").GetProperty("cpu_seconds").GetDouble() > 0, printed);
        Assert.Empty(root.GetProperty("errors").EnumerateObject());

        await server.StopAsync();
        Directory.Delete(directory, recursive: true);
    }
}
