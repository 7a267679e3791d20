using Backchannel.Keys;
using Backchannel.Storage.Sqlite;
using Backchannel.Users;
using Microsoft.Extensions.Hosting;

namespace Backchannel.Hosting;

/// <summary>
/// Prepares the store before the server takes requests: opens the database and applies migrations, writes the
/// configured users, and loads (or generates) the signing keys.
/// </summary>
internal sealed class StoreInitializer(SqliteDatabase database, UserSeeder users, KeyManager keys, ReadinessState readiness) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        database.Open();
        await users.SeedAsync(cancellationToken);
        await keys.RefreshAsync(cancellationToken);
        readiness.MarkReady();
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
