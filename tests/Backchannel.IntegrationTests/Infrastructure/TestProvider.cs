using Duende.IdentityModel.Client;
using Microsoft.Extensions.Time.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
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
    private Backchannel.Delivery.OutboxWorker? _worker;

    private TestProvider(WebApplication app, string issuer, string directory, bool ownsDirectory, FakeDeviceService device, TimeProvider time)
    {
        Time = time;
        _app = app;
        Issuer = issuer;
        Directory = directory;
        _ownsDirectory = ownsDirectory;
        Device = device;
        Http = new HttpClient { BaseAddress = new Uri(issuer) };
    }

    public string Issuer { get; }

    /// <summary>The provider's clock: a FakeTimeProvider the test advances, or the system's.</summary>
    public TimeProvider Time { get; }

    /// <summary>The provider's clock when the test controls it.</summary>
    public FakeTimeProvider FakeTime => Time as FakeTimeProvider ?? throw new InvalidOperationException("This provider runs on the system clock.");

    public string Directory { get; }

    public string DatabasePath => Path.Combine(Directory, "backchannel.db");

    public FakeDeviceService Device { get; }

    public HttpClient Http { get; }

    public IServiceProvider Services => _app.Services;

    public string BackchannelEndpoint => Issuer + "/bc-authorize";

    public string TokenEndpoint => Issuer + "/token";

    /// <summary>
    /// What a provider hosted in the test process starts from: <paramref name="issuer"/>, its SQLite file in
    /// <paramref name="directory"/>, the http device channel to <paramref name="device"/>, plain-HTTP notifications to
    /// loopback, no rate limits, no demo data, and the test clients.
    /// </summary>
    internal static Dictionary<string, string?> BaseSettings(string issuer, string directory, FakeDeviceService device)
    {
        var configuration = new Dictionary<string, string?>
        {
            ["Backchannel:Issuer"] = issuer,
            ["Backchannel:Storage:ConnectionString"] = $"Data Source={Path.Combine(directory, "backchannel.db")}",
            ["Backchannel:Ciba:PollingIntervalSeconds"] = "1",
            ["Backchannel:Ciba:MaxRequestsPerUserPerMinute"] = "0",
            // Shared providers serve many requests of one client for one user within a minute.
            ["Backchannel:Ciba:MaxRequestsPerClientAndUserPerMinute"] = "0",
            ["Backchannel:Notifications:AllowHttp"] = "true",
            ["Backchannel:Notifications:AllowPrivateNetworks"] = "true",
            ["Backchannel:Channels:Http:Url"] = device.NotifyUrl,
            ["Backchannel:Channels:Http:Token"] = FakeDeviceService.Token,
            ["Backchannel:Demo:Enabled"] = "false",
        };
        foreach (var (key, value) in TestClients.Configuration())
        {
            configuration[key] = value;
        }

        return configuration;
    }

    /// <summary>
    /// A web application builder with exactly <paramref name="configuration"/> (no files, no environment variables), no
    /// log providers yet, listening on loopback <paramref name="port"/>, on <paramref name="time"/>.
    /// </summary>
    internal static WebApplicationBuilder CreateBuilder(string environment, string directory, int port,
        IDictionary<string, string?> configuration, TimeProvider time)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = environment, ContentRootPath = directory });
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection(configuration);
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(System.Net.IPAddress.Loopback, port));
        builder.Services.AddSingleton(time);
        return builder;
    }

    /// <summary>Starts a provider (and a device service) with the test clients and users; <paramref name="settings"/> override or add settings.</summary>
    public static async Task<TestProvider> StartAsync(IDictionary<string, string?>? settings = null, string? directory = null,
        FakeDeviceService? device = null, TimeProvider? time = null)
    {
        time ??= TimeProvider.System;
        device ??= await FakeDeviceService.StartAsync();
        var ownsDirectory = directory is null;
        directory ??= Path.Combine(Path.GetTempPath(), "backchannel-tests", Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(directory);

        var port = FreePort.Next();
        var issuer = $"http://127.0.0.1:{port}";
        var configuration = BaseSettings(issuer, directory, device);
        configuration["Backchannel:Notifications:InitialRetryDelaySeconds"] = "0.2";
        configuration["Backchannel:Notifications:MaxRetryDelaySeconds"] = "1";
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            configuration[key] = value;
        }

        var builder = CreateBuilder("Production", directory, port, configuration, time);
        builder.Logging.AddFilter(level => level >= LogLevel.Warning);
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

        var provider = new TestProvider(app, issuer, directory, ownsDirectory, device, time);
        if (time is TestClock clock)
        {
            clock.Settled = provider.IsSettledAsync;
        }

        return provider;
    }

    /// <summary>A read-only connection to the provider's SQLite file (the provider keeps writing; WAL lets both work).</summary>
    public Microsoft.Data.Sqlite.SqliteConnection OpenDatabase()
    {
        var connection = new Microsoft.Data.Sqlite.SqliteConnection(ReadOnlyConnectionString);
        connection.Open();
        return connection;
    }

    private string ReadOnlyConnectionString => $"Data Source={DatabasePath};Mode=ReadOnly";

    /// <summary>
    /// Whether no notification is being sent and none is held by a lease (delivered but not yet removed from the outbox,
    /// or taken and not yet started): then moving the clock changes nothing for a delivery under way.
    /// </summary>
    public async Task<bool> IsSettledAsync()
    {
        _worker ??= Services.GetServices<IHostedService>().OfType<Backchannel.Delivery.OutboxWorker>().Single();
        if (_worker.InFlight > 0)
        {
            return false;
        }

        await using var database = OpenDatabase();
        await using var command = database.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM outbox WHERE lease_until > $now";
        command.Parameters.AddWithValue("$now", Time.GetUtcNow().ToUnixTimeMilliseconds());
        return (long)(await command.ExecuteScalarAsync())! == 0 && _worker.InFlight == 0;
    }

    /// <summary>The outbox messages (kind, attempts so far) still waiting for the request of this auth_req_id.</summary>
    public async Task<IReadOnlyList<(Backchannel.Domain.OutboxKind Kind, int Attempts)>> OutboxForAsync(string authReqId)
    {
        await using var database = OpenDatabase();
        await using var command = database.CreateCommand();
        command.CommandText = "SELECT o.kind, o.attempts FROM outbox o JOIN auth_requests r ON r.id = o.request_id WHERE r.auth_req_id_hash = $hash";
        command.Parameters.AddWithValue("$hash", Backchannel.Protocol.SecretHash.Compute(authReqId));
        var messages = new List<(Backchannel.Domain.OutboxKind, int)>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            messages.Add(((Backchannel.Domain.OutboxKind)reader.GetInt32(0), reader.GetInt32(1)));
        }

        return messages;
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
        LastBindingMessage = request.BindingMessage;
        return Http.RequestBackchannelAuthenticationAsync(request);
    }

    /// <summary>The binding message of the last <see cref="AuthorizeAsync"/>.</summary>
    public string? LastBindingMessage { get; private set; }

    /// <summary>The device notification of the last <see cref="AuthorizeAsync"/> (others stay for their tests).</summary>
    public Task<ReceivedNotification> LastNotificationAsync(TimeSpan? timeout = null) =>
        Device.ForAsync(LastBindingMessage ?? throw new InvalidOperationException("No request was made."), timeout);

    /// <summary>Approves the last request as its device; the provider must answer 204.</summary>
    public async Task ApproveLastAsync()
    {
        using var response = await Device.ApproveAsync(await LastNotificationAsync());
        Assert.Equal(System.Net.HttpStatusCode.NoContent, response.StatusCode);
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
        var bindingMessage = "flow " + Guid.NewGuid().ToString("N")[..8];
        var authorization = await AuthorizeAsync(loginHint, bindingMessage, clientId, clientSecret, configure);
        Assert.False(authorization.IsError, authorization.Error + " " + authorization.Raw);
        var notification = await Device.ForAsync(bindingMessage);
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
        using (var pooled = new Microsoft.Data.Sqlite.SqliteConnection(ReadOnlyConnectionString))
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearPool(pooled);
        }

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
