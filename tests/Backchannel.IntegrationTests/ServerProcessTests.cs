using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Backchannel.IntegrationTests.Infrastructure;

namespace Backchannel.IntegrationTests;

/// <summary>What a newcomer meets when running the server: clean start-up errors, one process per SQLite file, an issuer that names the server.</summary>
public class ServerProcessTests
{
    private static readonly TimeSpan StopsWithin = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Configuration_errors_end_the_process_with_exit_code_1_and_a_list_without_a_stack_trace()
    {
        var directory = TemporaryDirectory();
        var (exitCode, output) = await HostRun.RunToExitAsync("Production", new Dictionary<string, string?>
        {
            ["Backchannel:Storage:ConnectionString"] = $"Data Source={Path.Combine(directory, "b.db")}",
            ["Backchannel:Ciba:DefaultExpirySeconds"] = "-5",
        }, ["--urls", $"http://127.0.0.1:{FreePort.Next()}"], StopsWithin);

        Assert.Equal(1, exitCode);
        Assert.Contains("Backchannel cannot start; fix these settings:", output);
        Assert.Contains("  - Backchannel:Issuer must be set", output);
        Assert.Contains("  - Backchannel:Ciba:DefaultExpirySeconds must be a positive number.", output);
        Assert.Contains("  - Backchannel:Channels:Http: Url must be the device service's absolute http(s) URL", output);
        Assert.DoesNotContain("   at ", output);
        Assert.DoesNotContain("Exception", output);
    }

    [Fact]
    public async Task Every_invalid_client_is_named_with_its_setting()
    {
        var settings = Settings(Path.Combine(TemporaryDirectory(), "b.db"));
        settings["Backchannel:Clients:0:client_id"] = "broken";
        settings["Backchannel:Clients:0:backchannel_token_delivery_mode"] = "carrier-pigeon";
        settings["Backchannel:Clients:1:client_id"] = "ping-without-endpoint";
        settings["Backchannel:Clients:1:client_secret"] = "a-secret-of-some-length";
        settings["Backchannel:Clients:1:backchannel_token_delivery_mode"] = "ping";
        var (exitCode, output) = await HostRun.RunToExitAsync("Production", settings, ["--urls", $"http://127.0.0.1:{FreePort.Next()}"], StopsWithin);

        Assert.Equal(1, exitCode);
        Assert.Contains("  - Backchannel:Clients:0 (broken): backchannel_token_delivery_mode 'carrier-pigeon' is unknown", output);
        Assert.Contains("  - Backchannel:Clients:0 (broken): client_secret is required for client_secret_basic.", output);
        Assert.Contains("  - Backchannel:Clients:1 (ping-without-endpoint): backchannel_client_notification_endpoint is required for the ping mode.", output);
        Assert.DoesNotContain("   at ", output);
    }

    [Fact]
    public async Task An_unwritable_sqlite_path_names_the_path_and_the_setting()
    {
        var (exitCode, output) = await HostRun.RunToExitAsync("Production", Settings("/proc/backchannel-cannot-be-here/b.db"),
            ["--urls", $"http://127.0.0.1:{FreePort.Next()}"], StopsWithin);

        Assert.Equal(1, exitCode);
        Assert.Contains("/proc/backchannel-cannot-be-here/b.db", output);
        Assert.Contains("Backchannel:Storage:ConnectionString", output);
        Assert.DoesNotContain("   at ", output);
    }

    [Fact]
    public async Task A_second_process_on_the_same_sqlite_file_is_refused_with_a_clear_message()
    {
        var database = Path.Combine(TemporaryDirectory(), "shared.db");
        await using var first = await HostProcess.StartAsync(FreePort.Next(), Settings(database));

        var (exitCode, output) = await HostRun.RunToExitAsync("Production", Settings(database),
            ["--urls", $"http://127.0.0.1:{FreePort.Next()}"], StopsWithin);

        Assert.Equal(1, exitCode);
        Assert.Contains($"The SQLite database {database} is in use by another Backchannel process", output);
        Assert.Contains("Backchannel:Storage:ConnectionString", output);

        // The first server is unharmed.
        using var http = new HttpClient();
        Assert.True((await http.GetAsync(first.Issuer + "/health/ready")).IsSuccessStatusCode);
    }

    [Fact]
    public async Task Stored_keys_without_the_key_ring_that_protects_them_stop_the_server_with_what_to_restore()
    {
        var directory = TemporaryDirectory();
        var settings = Settings(Path.Combine(directory, "b.db"));
        settings["Backchannel:KeyProtection:KeysDirectory"] = Path.Combine(directory, "key-ring");
        await using (await HostProcess.StartAsync(FreePort.Next(), settings))
        {
        }

        Assert.NotEmpty(Directory.GetFiles(Path.Combine(directory, "key-ring"), "key-*.xml"));
        settings["Backchannel:KeyProtection:KeysDirectory"] = Path.Combine(directory, "another-key-ring");
        var (exitCode, output) = await HostRun.RunToExitAsync("Production", settings, ["--urls", $"http://127.0.0.1:{FreePort.Next()}"], StopsWithin);

        Assert.Equal(1, exitCode);
        Assert.Contains("protected with a Data Protection key ring this process cannot read", output);
        Assert.Contains("Backchannel:KeyProtection:KeysDirectory", output);
        Assert.DoesNotContain("   at ", output);
    }

    [Fact]
    public async Task Demo_data_is_refused_outside_development()
    {
        var settings = Settings(Path.Combine(TemporaryDirectory(), "b.db"));
        settings["Backchannel:Demo:Enabled"] = "true";
        var (exitCode, output) = await HostRun.RunToExitAsync("Production", settings, ["--urls", $"http://127.0.0.1:{FreePort.Next()}"], StopsWithin);

        Assert.Equal(1, exitCode);
        Assert.Contains("Backchannel:Demo:Enabled is true in the Production environment", output);
    }

    [Fact]
    public async Task In_development_without_an_issuer_the_server_names_itself_by_the_address_it_listens_on_and_prints_the_demo()
    {
        var port = FreePort.Next();
        var directory = TemporaryDirectory();
        var start = new ProcessStartInfo("dotnet",
            [RepositoryPaths.HostAssembly, "--urls", $"http://127.0.0.1:{port}", $"--Backchannel:Storage:ConnectionString=Data Source={Path.Combine(directory, "dev.db")}"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(RepositoryPaths.HostAssembly)!,
        };
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        using var process = Process.Start(start)!;
        var output = new System.Text.StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            JsonElement? discovery = null;
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (discovery is null && DateTime.UtcNow < deadline && !process.HasExited)
            {
                try
                {
                    discovery = await http.GetFromJsonAsync<JsonElement>("/.well-known/openid-configuration");
                }
                catch (HttpRequestException)
                {
                    await Task.Delay(100);
                }
            }

            Assert.True(discovery.HasValue, $"the server did not answer:\n{output}");
            Assert.Equal($"http://127.0.0.1:{port}", discovery.Value.GetProperty("issuer").GetString());
            Assert.Equal($"http://127.0.0.1:{port}/token", discovery.Value.GetProperty("token_endpoint").GetString());

            // The banner names the address, the issuer and the channel in use, and its commands target this server.
            var banner = DateTime.UtcNow.AddSeconds(10);
            while (!Text(output).Contains("Try a flow", StringComparison.Ordinal) && DateTime.UtcNow < banner)
            {
                await Task.Delay(50);
            }

            var text = Text(output);
            Assert.Contains($"Backchannel is running at http://127.0.0.1:{port} (issuer http://127.0.0.1:{port}) with demo data", text);
            // In Development the portal is on and is the default channel: the banner names its URL and the demo passwords.
            Assert.Contains($"the 'portal' channel: the user's web portal at http://127.0.0.1:{port}/device", text);
            Assert.Contains($"portal:  http://127.0.0.1:{port}/device (sign in as alice / alice-password or bob / bob-password)", text);
            Assert.Contains($"--data-urlencode login_hint=alice --data-urlencode 'binding_message=Hello' http://127.0.0.1:{port}/bc-authorize", text);

            // The newcomer's first flow, as the banner tells it: request, sign in to the portal as alice with the password
            // the banner (and the portal's own Development banner) gives, approve there, collect the tokens.
            var basic = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic", Convert.ToBase64String("demo-poll:demo-poll-secret"u8.ToArray()));
            using var authorize = new HttpRequestMessage(HttpMethod.Post, "/bc-authorize")
            {
                Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["scope"] = "openid", ["login_hint"] = "alice", ["binding_message"] = "Hello" }),
            };
            authorize.Headers.Authorization = basic;
            using var accepted = await http.SendAsync(authorize);
            var authReqId = (await accepted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("auth_req_id").GetString()!;
            Assert.Contains("alice with password alice-password", await http.GetStringAsync("/device/signin"));
            using var alice = await PortalUser.SignInAsync($"http://127.0.0.1:{port}", "alice", "alice-password");
            var requestId = PortalUser.RequestIdOn(await alice.PageAsync(), "Hello");
            using (var approved = await alice.PostFormAsync("/device/requests/" + requestId, new() { ["decision"] = "approve" }))
            {
                Assert.Equal("/device?answer=approved", approved.Headers.Location?.OriginalString);
            }

            using var redeem = new HttpRequestMessage(HttpMethod.Post, "/token")
            {
                Content = new FormUrlEncodedContent(new Dictionary<string, string>
                {
                    ["grant_type"] = "urn:openid:params:grant-type:ciba",
                    ["auth_req_id"] = authReqId,
                }),
            };
            redeem.Headers.Authorization = basic;
            using var tokens = await http.SendAsync(redeem);
            Assert.Equal(System.Net.HttpStatusCode.OK, tokens.StatusCode);
            Assert.True((await tokens.Content.ReadFromJsonAsync<JsonElement>()).TryGetProperty("id_token", out _));
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    private static Dictionary<string, string?> Settings(string databasePath)
    {
        var settings = HostProcess.BaseSettings(databasePath, "http://127.0.0.1:9/notify", "token");
        settings["Backchannel:Issuer"] = "http://127.0.0.1:1";
        return settings;
    }

    private static string TemporaryDirectory()
    {
        var directory = Path.Combine(Path.GetTempPath(), "backchannel-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        return directory;
    }

    private static string Text(System.Text.StringBuilder output)
    {
        lock (output)
        {
            return output.ToString();
        }
    }
}
