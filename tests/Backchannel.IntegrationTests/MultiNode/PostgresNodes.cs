using Backchannel.IntegrationTests.Infrastructure;
using Backchannel.Tests.Storage;

namespace Backchannel.IntegrationTests.MultiNode;

/// <summary>
/// Provider nodes as operating-system processes sharing one PostgreSQL database (fresh per instance, on the test run's
/// real server), with one device service and one client-notification receiver for all of them. Every node has the same
/// settings, as a deployment gives them; the issuer is the address clients use (a load balancer, or the first node).
/// </summary>
internal sealed class PostgresNodes : IAsyncDisposable
{
    private readonly List<HostProcess> _nodes = [];

    private PostgresNodes(PostgresServer server, string database, FakeDeviceService device, NotificationReceiver receiver)
    {
        Server = server;
        Database = database;
        Device = device;
        Receiver = receiver;
    }

    public PostgresServer Server { get; }

    public string Database { get; }

    public FakeDeviceService Device { get; }

    public NotificationReceiver Receiver { get; }

    public IReadOnlyList<HostProcess> Nodes => _nodes;

    /// <summary>The Data Protection key ring the nodes share.</summary>
    public string KeysDirectory { get; } = Path.Combine(Path.GetTempPath(), "backchannel-tests", "keys-" + Guid.NewGuid().ToString("N"));

    /// <summary>The settings every node gets; tests may add to them before starting nodes.</summary>
    public Dictionary<string, string?> Settings { get; } = [];

    public static async Task<PostgresNodes> CreateAsync(PostgresServer? server = null)
    {
        server ??= PostgresServer.Instance;
        var database = "nodes_" + Guid.NewGuid().ToString("N");
        server.CreateDatabase(database);
        var device = await FakeDeviceService.StartAsync();
        var receiver = await NotificationReceiver.StartAsync(FreePort.Next());
        var nodes = new PostgresNodes(server, database, device, receiver);
        var settings = HostProcess.BaseSettings("unused.db", device.NotifyUrl, FakeDeviceService.Token);
        settings["Backchannel:Storage:Provider"] = "Postgres";
        settings["Backchannel:Storage:ConnectionString"] = server.ConnectionString(database);

        // The nodes share one Data Protection key ring, as a deployment's shared volume gives them.
        settings["Backchannel:KeyProtection:KeysDirectory"] = nodes.KeysDirectory;
        settings["Backchannel:Ciba:MaxRequestsPerUserPerMinute"] = "0";
        settings["Backchannel:Notifications:InitialRetryDelaySeconds"] = "0.2";
        settings["Backchannel:Notifications:MaxRetryDelaySeconds"] = "1";
        settings["Backchannel:Clients:0:client_id"] = TestClients.Poll;
        settings["Backchannel:Clients:0:client_secret"] = TestClients.PollSecret;
        settings["Backchannel:Clients:0:backchannel_token_delivery_mode"] = "poll";
        foreach (var (key, value) in TestClients.Notifying(receiver.Endpoint))
        {
            settings[key.Replace(":6:", ":1:", StringComparison.Ordinal).Replace(":7:", ":2:", StringComparison.Ordinal)] = value;
        }

        foreach (var (key, value) in settings)
        {
            nodes.Settings[key] = value;
        }

        return nodes;
    }

    /// <summary>Starts a node on <paramref name="port"/> with <see cref="Settings"/> and <paramref name="issuer"/>; returns once it is ready.</summary>
    public async Task<HostProcess> StartNodeAsync(int port, string issuer)
    {
        var settings = new Dictionary<string, string?>(Settings) { ["Backchannel:Issuer"] = issuer };
        var node = await HostProcess.StartAsync(port, settings);
        _nodes.Add(node);
        return node;
    }

    /// <summary>What the database holds of a request and its outbox messages, for a failure's message.</summary>
    public async Task<string> DescribeAsync(string authReqId)
    {
        await using var connection = new Npgsql.NpgsqlConnection(Server.ConnectionString(Database));
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand(
            "SELECT 'request ' || r.id || ' status ' || r.status || ' channel ' || coalesce(r.channel, '-') || ' outbox: ' || " +
            "coalesce((SELECT string_agg('kind ' || o.kind || ' attempts ' || o.attempts || ' lease ' || coalesce(o.lease_owner, '-'), '; ') " +
            "FROM outbox o WHERE o.request_id = r.id), 'none') FROM auth_requests r WHERE r.auth_req_id_hash = $1", connection);
        command.Parameters.AddWithValue(Backchannel.Protocol.SecretHash.Compute(authReqId));
        return (await command.ExecuteScalarAsync()) as string ?? "no such request";
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            await node.DisposeAsync();
        }

        await Device.DisposeAsync();
        await Receiver.DisposeAsync();
        Server.DropDatabase(Database);
        if (Directory.Exists(KeysDirectory))
        {
            Directory.Delete(KeysDirectory, recursive: true);
        }
    }
}
