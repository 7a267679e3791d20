using Duende.IdentityModel.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Backchannel.IntegrationTests.Infrastructure;

/// <summary>
/// The provider, hosted in the test process the way an application hosts the library (AddBackchannel/MapBackchannel),
/// on a real loopback port with a real SQLite file, and its device service.
/// </summary>
internal sealed class TestProvider : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly bool _ownsDirectory;

    private TestProvider(WebApplication app, string issuer, string directory, bool ownsDirectory, FakeDeviceService device)
    {
        _app = app;
        Issuer = issuer;
        Directory = directory;
        _ownsDirectory = ownsDirectory;
        Device = device;
        Http = new HttpClient { BaseAddress = new Uri(issuer) };
    }

    public string Issuer { get; }

    public string Directory { get; }

    public string DatabasePath => Path.Combine(Directory, "backchannel.db");

    public FakeDeviceService Device { get; }

    public HttpClient Http { get; }

    public IServiceProvider Services => _app.Services;

    public string BackchannelEndpoint => Issuer + "/bc-authorize";

    public string TokenEndpoint => Issuer + "/token";

    /// <summary>Starts a provider (and a device service) with the test clients and users; <paramref name="settings"/> override or add settings.</summary>
    public static async Task<TestProvider> StartAsync(IDictionary<string, string?>? settings = null, string? directory = null,
        FakeDeviceService? device = null)
    {
        device ??= await FakeDeviceService.StartAsync();
        var ownsDirectory = directory is null;
        directory ??= Path.Combine(Path.GetTempPath(), "backchannel-tests", Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(directory);

        var port = FreePort.Next();
        var issuer = $"http://127.0.0.1:{port}";
        var configuration = new Dictionary<string, string?>
        {
            ["Backchannel:Issuer"] = issuer,
            ["Backchannel:Storage:ConnectionString"] = $"Data Source={Path.Combine(directory, "backchannel.db")}",
            ["Backchannel:Ciba:PollingIntervalSeconds"] = "1",
            ["Backchannel:Ciba:MaxRequestsPerUserPerMinute"] = "0",
            ["Backchannel:Notifications:AllowHttp"] = "true",
            ["Backchannel:Notifications:AllowPrivateNetworks"] = "true",
            ["Backchannel:Notifications:InitialRetryDelaySeconds"] = "0.2",
            ["Backchannel:Notifications:MaxRetryDelaySeconds"] = "1",
            ["Backchannel:Channels:Http:Url"] = device.NotifyUrl,
            ["Backchannel:Channels:Http:Token"] = FakeDeviceService.Token,
            ["Backchannel:Demo:Enabled"] = "false",
        };
        foreach (var (key, value) in TestClients.Configuration())
        {
            configuration[key] = value;
        }

        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            configuration[key] = value;
        }

        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production", ContentRootPath = directory });
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection(configuration);
        builder.Logging.ClearProviders();
        builder.Logging.AddFilter(level => level >= LogLevel.Warning);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(System.Net.IPAddress.Loopback, port));
        builder.Services.AddBackchannel(builder.Configuration.GetSection("Backchannel")).UseSqlite();

        var app = builder.Build();
        app.MapBackchannel();
        try
        {
            await app.StartAsync();
        }
        catch
        {
            await app.DisposeAsync();
            await device.DisposeAsync();
            throw;
        }

        return new TestProvider(app, issuer, directory, ownsDirectory, device);
    }

    /// <summary>A backchannel authentication request as the poll test client (Duende.IdentityModel).</summary>
    public Task<BackchannelAuthenticationResponse> AuthorizeAsync(string loginHint = "alice", string? bindingMessage = null,
        string clientId = TestClients.Poll, string clientSecret = TestClients.PollSecret, Action<BackchannelAuthenticationRequest>? configure = null)
    {
        var request = new BackchannelAuthenticationRequest
        {
            Address = BackchannelEndpoint,
            ClientId = clientId,
            ClientSecret = clientSecret,
            Scope = "openid profile email",
            LoginHint = loginHint,
            BindingMessage = bindingMessage ?? "test " + Guid.NewGuid().ToString("N")[..8],
        };
        configure?.Invoke(request);
        return Http.RequestBackchannelAuthenticationAsync(request);
    }

    public Task<TokenResponse> RedeemAsync(string authReqId, string clientId = TestClients.Poll, string clientSecret = TestClients.PollSecret) =>
        Http.RequestBackchannelAuthenticationTokenAsync(new BackchannelAuthenticationTokenRequest
        {
            Address = TokenEndpoint,
            ClientId = clientId,
            ClientSecret = clientSecret,
            AuthenticationRequestId = authReqId,
        });

    /// <summary>A whole approved flow: request, device approval, redemption.</summary>
    public async Task<TokenResponse> CompleteFlowAsync(string loginHint = "alice", string clientId = TestClients.Poll,
        string clientSecret = TestClients.PollSecret, Action<BackchannelAuthenticationRequest>? configure = null)
    {
        var authorization = await AuthorizeAsync(loginHint, null, clientId, clientSecret, configure);
        Assert.False(authorization.IsError, authorization.Error + " " + authorization.Raw);
        var notification = await Device.NextAsync();
        var approval = await Device.ApproveAsync(notification);
        Assert.Equal(System.Net.HttpStatusCode.NoContent, approval.StatusCode);
        var tokens = await RedeemAsync(authorization.AuthenticationRequestId!, clientId, clientSecret);
        Assert.False(tokens.IsError, tokens.Error + " " + tokens.ErrorDescription);
        return tokens;
    }

    public async Task StopAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        try
        {
            await StopAsync();
        }
        catch (ObjectDisposedException)
        {
        }

        await Device.DisposeAsync();
        if (_ownsDirectory)
        {
            try
            {
                System.IO.Directory.Delete(Directory, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}
