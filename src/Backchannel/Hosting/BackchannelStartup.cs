using Backchannel.Abstractions;
using Backchannel.Clients;
using Backchannel.Keys;
using Backchannel.Users;
using Microsoft.Extensions.Hosting;

namespace Backchannel.Hosting;

/// <summary>
/// Prepares the store before the server takes requests, once per process: opens it (applying migrations under the
/// engine's lock), writes the configured clients and users under the seeding lock (so that nodes starting together do it
/// once), and loads (or, under the keys lock, generates) the keys.
/// </summary>
public sealed class BackchannelStartup(
    IStoreLifecycle store,
    IStoreLock storeLock,
    ClientSeeder clients,
    UserSeeder users,
    KeyManager keys,
    ReadinessState readiness)
{
    private readonly Lock _lock = new();
    private Task? _run;

    public Task RunAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return _run ??= RunOnceAsync(cancellationToken);
        }
    }

    private async Task RunOnceAsync(CancellationToken cancellationToken)
    {
        await store.OpenAsync(cancellationToken);
        await using (await storeLock.AcquireAsync(StoreLocks.Seeding, cancellationToken))
        {
            await clients.SeedAsync(cancellationToken);
            await users.SeedAsync(cancellationToken);
        }

        await keys.RefreshAsync(cancellationToken);
        readiness.MarkReady();
    }
}

/// <summary>Runs <see cref="BackchannelStartup"/> as the first hosted service.</summary>
internal sealed class BackchannelStartupService(BackchannelStartup startup) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => startup.RunAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
