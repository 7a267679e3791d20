using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Backchannel.Abstractions;
using Backchannel.Channels;
using Backchannel.Delivery;
using Backchannel.IntegrationTests.Infrastructure;
using Backchannel.Tests.Support;
using Duende.IdentityModel.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Backchannel.IntegrationTests;

/// <summary>
/// The provider hosted as a library in ways TestProvider does not cover: an issuer with a path, route groups, moved or
/// omitted operations endpoints, a channel of the host's own, named device services with rules, a per-client ID token
/// algorithm, audit events.
/// </summary>
public class HostingTests
{
    [Fact]
    public async Task An_issuer_with_a_path_serves_every_endpoint_under_that_path()
    {
        await using var device = await FakeDeviceService.StartAsync();
        var port = FreePort.Next();
        await using var host = await Host.StartAsync(port, Settings(device, $"http://127.0.0.1:{port}/tenant-a"));

        var discovery = await host.Http.GetFromJsonAsync<JsonElement>("/tenant-a/.well-known/openid-configuration");
        Assert.Equal($"http://127.0.0.1:{port}/tenant-a", discovery.GetProperty("issuer").GetString());
        Assert.Equal($"http://127.0.0.1:{port}/tenant-a/bc-authorize", discovery.GetProperty("backchannel_authentication_endpoint").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await host.Http.GetAsync("/.well-known/openid-configuration")).StatusCode);

        var tokens = await CompleteFlowAsync(host.Http, device, $"http://127.0.0.1:{port}/tenant-a");
        Assert.False(tokens.IsError, tokens.ErrorDescription);
        Assert.Equal($"http://127.0.0.1:{port}/tenant-a", new JsonWebToken(tokens.IdentityToken).Issuer);
    }

    [Fact]
    public async Task A_route_group_whose_prefix_is_the_issuers_path_serves_the_endpoints()
    {
        await using var device = await FakeDeviceService.StartAsync();
        var port = FreePort.Next();
        await using var host = await Host.StartAsync(port, Settings(device, $"http://127.0.0.1:{port}/ciba"),
            map: app => app.MapGroup("/ciba").MapBackchannel(o => o.MetricsPath = null));

        Assert.Equal(HttpStatusCode.OK, (await host.Http.GetAsync("/ciba/jwks")).StatusCode);
        var tokens = await CompleteFlowAsync(host.Http, device, $"http://127.0.0.1:{port}/ciba");
        Assert.False(tokens.IsError, tokens.ErrorDescription);
        Assert.Equal(HttpStatusCode.NotFound, (await host.Http.GetAsync("/ciba/metrics")).StatusCode);
    }

    [Fact]
    public async Task Operations_endpoints_can_be_moved_or_omitted_so_that_the_hosts_own_paths_do_not_clash()
    {
        await using var device = await FakeDeviceService.StartAsync();
        var port = FreePort.Next();
        await using var host = await Host.StartAsync(port, Settings(device, $"http://127.0.0.1:{port}"), map: app =>
        {
            app.MapGet("/health/live", () => "the host's own");
            app.MapBackchannel(o =>
            {
                o.HealthLivePath = null;
                o.HealthReadyPath = "/backchannel/ready";
                o.MetricsPath = "/backchannel/metrics";
            });
        });

        Assert.Equal("the host's own", await host.Http.GetStringAsync("/health/live"));
        Assert.Equal("Healthy", await host.Http.GetStringAsync("/backchannel/ready"));
        Assert.Equal(HttpStatusCode.NotFound, (await host.Http.GetAsync("/health/ready")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await host.Http.GetAsync("/metrics")).StatusCode);
        Assert.Contains("backchannel_authentication_requests_total", await host.Http.GetStringAsync("/backchannel/metrics"));
    }

    [Fact]
    public async Task Metrics_can_be_served_on_their_own_port_only()
    {
        await using var device = await FakeDeviceService.StartAsync();
        var port = FreePort.Next();
        var metricsPort = FreePort.Next();
        var settings = Settings(device, $"http://127.0.0.1:{port}");
        settings["Backchannel:Operations:MetricsPort"] = metricsPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await using var host = await Host.StartAsync(port, settings, extraPorts: [metricsPort]);

        Assert.Equal(HttpStatusCode.NotFound, (await host.Http.GetAsync("/metrics")).StatusCode);
        using var metrics = new HttpClient();
        var text = await metrics.GetStringAsync($"http://127.0.0.1:{metricsPort}/metrics");
        Assert.Contains("backchannel_token_responses_total{grant_type=\"ciba\",outcome=\"issued\"} 0", text);

        // The port the connection came in on decides, not the Host header a client sends.
        using var spoofed = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        spoofed.Headers.Host = $"127.0.0.1:{metricsPort}";
        Assert.Equal(HttpStatusCode.NotFound, (await host.Http.SendAsync(spoofed)).StatusCode);

        // The metrics port serves no protocol endpoint.
        Assert.Equal(HttpStatusCode.NotFound, (await metrics.GetAsync($"http://127.0.0.1:{metricsPort}/.well-known/openid-configuration")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await host.Http.GetAsync("/.well-known/openid-configuration")).StatusCode);
    }

    [Fact]
    public async Task Metrics_include_the_runtime_kestrel_and_httpclient_meters_and_the_gauges()
    {
        await using var device = await FakeDeviceService.StartAsync();
        var port = FreePort.Next();
        await using var host = await Host.StartAsync(port, Settings(device, $"http://127.0.0.1:{port}"));

        // Series exist at zero before their first event.
        var before = await host.Http.GetStringAsync("/metrics");
        Assert.Contains("backchannel_decisions_total{decision=\"approved\"} 0", before);
        Assert.Contains("backchannel_notifications_total{kind=\"ping\",outcome=\"failed\"} 0", before);
        Assert.Contains("backchannel_outbox_backlog{kind=\"push\"} 0", before);
        Assert.Contains("backchannel_requests_pending 0", before);
        Assert.Matches(@"backchannel_signing_key_next_rotation_timestamp_seconds \d{10}", before);
        Assert.Contains("system_runtime_dotnet_gc_collections", before);
        Assert.Contains("microsoft_aspnetcore_server_kestrel_kestrel_active_connections", before);

        var tokens = await CompleteFlowAsync(host.Http, device, $"http://127.0.0.1:{port}");
        Assert.False(tokens.IsError);
        var after = await host.Http.GetStringAsync("/metrics");
        Assert.Contains("backchannel_decisions_total{decision=\"approved\"} 1", after);
        Assert.Contains("backchannel_notifications_total{kind=\"device\",outcome=\"delivered\"} 1", after);

        // The device notification went through HttpClient; its per-request connection state changes are not exported.
        Assert.Contains("system_net_http_http_client_request_duration", after);
        Assert.DoesNotContain("system_net_http_http_client_open_connections", after);
    }

    [Fact]
    public async Task A_client_that_registered_id_token_signed_response_alg_gets_id_tokens_signed_with_it()
    {
        await using var device = await FakeDeviceService.StartAsync();
        var port = FreePort.Next();
        var settings = Settings(device, $"http://127.0.0.1:{port}");
        settings["Backchannel:Clients:0:id_token_signed_response_alg"] = "ES256";
        await using var host = await Host.StartAsync(port, settings);

        var tokens = await CompleteFlowAsync(host.Http, device, $"http://127.0.0.1:{port}");
        Assert.False(tokens.IsError, tokens.ErrorDescription);
        Assert.Equal("ES256", new JsonWebToken(tokens.IdentityToken).Alg);
        Assert.Equal("RS256", new JsonWebToken(tokens.AccessToken).Alg);

        var jwks = new Microsoft.IdentityModel.Tokens.JsonWebKeySet(await host.Http.GetStringAsync("/jwks"));
        Assert.Contains(jwks.Keys, key => key.Kid == new JsonWebToken(tokens.IdentityToken).Kid && key.Alg == "ES256");
    }

    [Fact]
    public async Task A_mutual_tls_client_stops_the_server_while_mutual_tls_is_off()
    {
        await using var device = await FakeDeviceService.StartAsync();
        var port = FreePort.Next();
        var settings = Settings(device, $"http://127.0.0.1:{port}");
        settings["Backchannel:Clients:0:token_endpoint_auth_method"] = "tls_client_auth";
        settings["Backchannel:Clients:0:tls_client_auth_subject_dn"] = "CN=teller-desk";

        var failure = await Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(() => Host.StartAsync(port, settings));
        Assert.Contains(failure.Failures, f => f.Contains("token_endpoint_auth_method 'tls_client_auth' needs mutual TLS, which this provider has turned off (Mtls:Enabled is false)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Mutual_tls_without_an_https_listener_on_the_alias_port_is_reported_once_the_server_listens()
    {
        await using var device = await FakeDeviceService.StartAsync();
        var port = FreePort.Next();
        var aliasPort = FreePort.Next();
        var settings = Settings(device, $"http://127.0.0.1:{port}");
        settings["Backchannel:Mtls:Enabled"] = "true";
        settings["Backchannel:Mtls:BaseUrl"] = $"https://127.0.0.1:{aliasPort}";
        var log = new RecordingLoggerProvider();

        await using var host = await Host.StartAsync(port, settings, logging: log);

        Assert.Contains(log.Containing($"Backchannel:Mtls:BaseUrl is https://127.0.0.1:{aliasPort}, but the server has no HTTPS listener on its port"),
            line => line.Contains("Kestrel:Endpoints", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_channel_of_the_hosts_own_can_be_the_default()
    {
        var port = FreePort.Next();
        var settings = Settings(device: null, $"http://127.0.0.1:{port}");
        settings["Backchannel:Channels:Default"] = "sms";
        var sms = new RecordingChannel();
        await using var host = await Host.StartAsync(port, settings, configure: backchannel =>
        {
            backchannel.Services.AddSingleton(sms);
            backchannel.AddChannel<RecordingChannel>("sms");
        });

        var authorization = await AuthorizeAsync(host.Http, $"http://127.0.0.1:{port}", "sms test");
        Assert.False(authorization.IsError, authorization.Raw);
        var notification = await sms.Received.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("sms test", notification.Request.BindingMessage);
        Assert.Equal("sms", notification.Request.Channel);
        Assert.Equal("Poll test client", notification.ClientName);
    }

    [Fact]
    public async Task Named_device_services_with_rules_reach_each_client_through_its_own_service()
    {
        await using var general = await FakeDeviceService.StartAsync();
        await using var branches = await FakeDeviceService.StartAsync();
        var port = FreePort.Next();
        var settings = Settings(general, $"http://127.0.0.1:{port}");
        settings["Backchannel:Channels:Instances:branches:Type"] = "http";
        settings["Backchannel:Channels:Instances:branches:Url"] = branches.NotifyUrl;
        settings["Backchannel:Channels:Instances:branches:Token"] = FakeDeviceService.Token;
        settings["Backchannel:Channels:Rules:0:Channel"] = "branches";
        settings["Backchannel:Channels:Rules:0:Clients:0"] = "branch-client";
        settings["Backchannel:Clients:1:client_id"] = "branch-client";
        settings["Backchannel:Clients:1:client_secret"] = "branch-client-secret";
        settings["Backchannel:Clients:1:backchannel_token_delivery_mode"] = "poll";
        await using var host = await Host.StartAsync(port, settings);

        Assert.False((await AuthorizeAsync(host.Http, $"http://127.0.0.1:{port}", "to branches", "branch-client", "branch-client-secret")).IsError);
        Assert.False((await AuthorizeAsync(host.Http, $"http://127.0.0.1:{port}", "to general")).IsError);

        Assert.Equal("to branches", (await branches.ForAsync("to branches")).BindingMessage);
        Assert.Equal("to general", (await general.ForAsync("to general")).BindingMessage);
        Assert.False(general.TryTake(out _, n => n.BindingMessage == "to branches"));
    }

    [Fact]
    public async Task A_channel_that_asks_for_a_delay_is_notified_after_it_and_never_before()
    {
        await using var device = await FakeDeviceService.StartAsync();
        var port = FreePort.Next();
        var settings = Settings(device, $"http://127.0.0.1:{port}");
        settings["Backchannel:Channels:Http:DelaySeconds"] = "30";
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = await Host.StartAsync(port, settings, time: clock);

        Assert.False((await AuthorizeAsync(host.Http, $"http://127.0.0.1:{port}", "delayed")).IsError);
        clock.Advance(TimeSpan.FromSeconds(29));
        await Assert.ThrowsAsync<TimeoutException>(() => device.ForAsync("delayed", TimeSpan.FromMilliseconds(500)));

        clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal("delayed", (await device.ForAsync("delayed", TimeSpan.FromSeconds(10))).BindingMessage);
    }

    [Fact]
    public async Task Audit_events_record_a_requests_life_without_secrets_or_the_binding_message()
    {
        await using var device = await FakeDeviceService.StartAsync();
        var port = FreePort.Next();
        var log = new RecordingLoggerProvider();
        await using var host = await Host.StartAsync(port, Settings(device, $"http://127.0.0.1:{port}"), logging: log);

        var tokens = await CompleteFlowAsync(host.Http, device, $"http://127.0.0.1:{port}", bindingMessage: "Pay 42 EUR to ACME");
        Assert.False(tokens.IsError);
        var wrong = await host.Http.RequestBackchannelAuthenticationAsync(new BackchannelAuthenticationRequest
        {
            Address = $"http://127.0.0.1:{port}/bc-authorize", ClientId = TestClients.Poll, ClientSecret = "not-the-secret", Scope = "openid", LoginHint = "alice",
        });
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.HttpStatusCode);

        var audit = log.Lines("Backchannel.Audit");
        Assert.Contains(audit, line => line.StartsWith("request.accepted ", StringComparison.Ordinal) && line.Contains("client=poll-client", StringComparison.Ordinal));
        Assert.Contains(audit, line => line.StartsWith("request.notified ", StringComparison.Ordinal));
        Assert.Contains(audit, line => line.StartsWith("request.decided ", StringComparison.Ordinal) && line.Contains("decision=approved channel=http evidence=callback_token", StringComparison.Ordinal));
        Assert.Contains(audit, line => line.StartsWith("request.redeemed ", StringComparison.Ordinal));
        Assert.Contains(audit, line => line.StartsWith("security.client_authentication_failed client=poll-client", StringComparison.Ordinal));
        Assert.DoesNotContain(audit, line => line.Contains("Pay 42 EUR", StringComparison.Ordinal) || line.Contains(TestClients.PollSecret, StringComparison.Ordinal)
            || line.Contains(tokens.AccessToken!, StringComparison.Ordinal));
    }

    private static Dictionary<string, string?> Settings(FakeDeviceService? device, string issuer)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Backchannel:Issuer"] = issuer,
            ["Backchannel:Ciba:PollingIntervalSeconds"] = "1",
            ["Backchannel:Ciba:MaxRequestsPerUserPerMinute"] = "0",
            ["Backchannel:Notifications:AllowHttp"] = "true",
            ["Backchannel:Notifications:AllowPrivateNetworks"] = "true",
            ["Backchannel:Clients:0:client_id"] = TestClients.Poll,
            ["Backchannel:Clients:0:client_secret"] = TestClients.PollSecret,
            ["Backchannel:Clients:0:client_name"] = "Poll test client",
            ["Backchannel:Clients:0:backchannel_token_delivery_mode"] = "poll",
            ["Backchannel:Users:0:sub"] = "alice-sub",
            ["Backchannel:Users:0:username"] = "alice",
        };
        if (device is not null)
        {
            settings["Backchannel:Channels:Http:Url"] = device.NotifyUrl;
            settings["Backchannel:Channels:Http:Token"] = FakeDeviceService.Token;
        }

        return settings;
    }

    private static Task<BackchannelAuthenticationResponse> AuthorizeAsync(HttpClient http, string issuer, string bindingMessage,
        string clientId = TestClients.Poll, string secret = TestClients.PollSecret) =>
        http.RequestBackchannelAuthenticationAsync(new BackchannelAuthenticationRequest
        {
            Address = issuer + "/bc-authorize", ClientId = clientId, ClientSecret = secret, Scope = "openid", LoginHint = "alice",
            BindingMessage = bindingMessage,
        });

    private static async Task<TokenResponse> CompleteFlowAsync(HttpClient http, FakeDeviceService device, string issuer, string? bindingMessage = null)
    {
        bindingMessage ??= "flow " + Guid.NewGuid().ToString("N")[..8];
        var authorization = await AuthorizeAsync(http, issuer, bindingMessage);
        Assert.False(authorization.IsError, authorization.Raw);
        using var approval = await device.ApproveAsync(await device.ForAsync(bindingMessage));
        Assert.Equal(HttpStatusCode.NoContent, approval.StatusCode);
        return await http.RequestBackchannelAuthenticationTokenAsync(new BackchannelAuthenticationTokenRequest
        {
            Address = issuer + "/token", ClientId = TestClients.Poll, ClientSecret = TestClients.PollSecret,
            AuthenticationRequestId = authorization.AuthenticationRequestId!,
        });
    }

    /// <summary>A channel of the host's own: records what it is asked to deliver.</summary>
    public sealed class RecordingChannel : IAuthenticationDeviceChannel
    {
        public TaskCompletionSource<DeviceNotification> Received { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<DeliveryResult> NotifyAsync(DeviceNotification notification, CancellationToken cancellationToken)
        {
            Received.TrySetResult(notification);
            return Task.FromResult(DeliveryResult.Delivered);
        }
    }

    /// <summary>A provider hosted by this test class, with its own composition and endpoint mapping.</summary>
    private sealed class Host : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private readonly string _directory;

        private Host(WebApplication app, string directory, int port)
        {
            _app = app;
            _directory = directory;
            Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        }

        public HttpClient Http { get; }

        public static async Task<Host> StartAsync(int port, IDictionary<string, string?> settings, Action<WebApplication>? map = null,
            Action<BackchannelBuilder>? configure = null, TimeProvider? time = null, ILoggerProvider? logging = null, int[]? extraPorts = null)
        {
            var directory = Path.Combine(Path.GetTempPath(), "backchannel-tests", Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(directory);
            settings["Backchannel:Storage:ConnectionString"] = $"Data Source={Path.Combine(directory, "backchannel.db")}";
            var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production", ContentRootPath = directory });
            builder.Configuration.Sources.Clear();
            builder.Configuration.AddInMemoryCollection(settings);
            builder.Logging.ClearProviders();
            if (logging is not null)
            {
                builder.Logging.AddProvider(logging);
            }

            builder.WebHost.ConfigureKestrel(kestrel =>
            {
                kestrel.Listen(IPAddress.Loopback, port);
                foreach (var extra in extraPorts ?? [])
                {
                    kestrel.Listen(IPAddress.Loopback, extra);
                }
            });
            if (time is not null)
            {
                builder.Services.AddSingleton(time);
            }

            var backchannel = builder.Services.AddBackchannel(builder.Configuration.GetSection("Backchannel")).UseSqlite();
            configure?.Invoke(backchannel);
            var app = builder.Build();
            (map ?? (a => a.MapBackchannel()))(app);
            try
            {
                await app.StartAsync();
            }
            catch
            {
                await app.DisposeAsync();
                throw;
            }

            return new Host(app, directory, port);
        }

        public async ValueTask DisposeAsync()
        {
            Http.Dispose();
            await _app.StopAsync();
            await _app.DisposeAsync();
            try
            {
                Directory.Delete(_directory, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}
