var builder = WebApplication.CreateBuilder(args);

builder.Services.AddBackchannel(builder.Configuration.GetSection("Backchannel"));

var app = builder.Build();
app.MapBackchannel();
app.Run();

/// <summary>The runnable Backchannel server (an entry point tests can start).</summary>
public partial class Program;
