using Backchannel.Abstractions;
using Backchannel.Clients;
using Backchannel.Keys;
using Backchannel.Protocol;
using Backchannel.Users;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Backchannel.Hosting;

/// <summary>
/// Prepares the store before the server takes requests, once per process: opens it (applying migrations under the
/// engine's lock), writes the configured clients and users under the seeding lock (so that nodes starting together do it
/// once), and loads (or, under the keys lock, generates) the keys.
/// </summary>
public sealed partial class BackchannelStartup(
    IStoreLifecycle store,
    IStoreLock storeLock,
    ClientSeeder clients,
    UserSeeder users,
    KeyManager keys,
    ReadinessState readiness,
    ILogger<BackchannelStartup> logger)
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
        if (!BackchannelAuthenticationRequestValidator.NormalizationAvailable)
        {
            LogNoNormalization(logger);
        }

        await store.OpenAsync(cancellationToken);
        await using (await storeLock.AcquireAsync(StoreLocks.Seeding, cancellationToken))
        {
            await clients.SeedAsync(cancellationToken);
            await users.SeedAsync(cancellationToken);
        }

        await keys.RefreshAsync(cancellationToken);
        readiness.MarkReady();
    }

    [LoggerMessage(1, LogLevel.Warning,
        "This process runs in globalization-invariant mode (InvariantGlobalization, DOTNET_SYSTEM_GLOBALIZATION_INVARIANT), where .NET cannot " +
        "normalise text: binding_message is checked and shown as the client sent it, not in its NFC form. Turn the mode off (the host needs ICU, libicu).")]
    private static partial void LogNoNormalization(ILogger logger);
}

/// <summary>Runs <see cref="BackchannelStartup"/> as the first hosted service.</summary>
internal sealed class BackchannelStartupService(BackchannelStartup startup) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => startup.RunAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
