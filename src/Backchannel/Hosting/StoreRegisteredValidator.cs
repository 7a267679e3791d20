using Backchannel.Abstractions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Backchannel.Hosting;

/// <summary>Refuses to start without a store engine (a host that forgot <c>.UseSqlite()</c> or <c>.UsePostgres()</c>).</summary>
internal sealed class StoreRegisteredValidator(IServiceProviderIsService services) : IValidateOptions<StorageOptions>
{
    public ValidateOptionsResult Validate(string? name, StorageOptions options) =>
        services.IsService(typeof(IStoreLifecycle))
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(options.Provider == StorageProviders.Postgres
                ? "Backchannel:Storage:Provider is Postgres, but no PostgreSQL store is registered: call .UsePostgres() (package Backchannel.Storage.Postgres) on the result of AddBackchannel."
                : $"No store is registered for Backchannel:Storage:Provider '{options.Provider}': call .UseSqlite() (package Backchannel.Storage.Sqlite) on the result of AddBackchannel.");
}
