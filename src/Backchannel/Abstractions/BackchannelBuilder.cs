using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Backchannel.Abstractions;

/// <summary>
/// What <c>AddBackchannel</c> returns: the place to choose the store (<c>.UseSqlite()</c>, <c>.UsePostgres()</c>) and to
/// add channels of the host's own (<c>.AddChannel&lt;T&gt;(name)</c>, <c>.AddChannelType(...)</c>).
/// </summary>
public sealed class BackchannelBuilder(IServiceCollection services, IConfiguration configuration)
{
    public IServiceCollection Services { get; } = services;

    /// <summary>The <c>Backchannel</c> configuration section.</summary>
    public IConfiguration Configuration { get; } = configuration;

    /// <summary>The configured <c>Storage:Provider</c> (<c>Sqlite</c> when unset), for hosts that pick the store by it.</summary>
    public string StorageProvider => Configuration["Storage:Provider"] is { Length: > 0 } provider ? provider : StorageProviders.Sqlite;
}
