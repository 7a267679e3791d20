using Backchannel.Abstractions;

var builder = WebApplication.CreateBuilder(args);

var backchannel = builder.Services.AddBackchannel(builder.Configuration.GetSection("Backchannel"));
if (backchannel.StorageProvider == StorageProviders.Sqlite)
{
    backchannel.UseSqlite();
}
else if (backchannel.StorageProvider == StorageProviders.Postgres)
{
    backchannel.UsePostgres();
}

var app = builder.Build();
return await app.RunBackchannelAsync();

/// <summary>The runnable Backchannel server (an entry point tests can start).</summary>
public partial class Program;
