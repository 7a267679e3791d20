using Backchannel.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Microsoft.AspNetCore.Builder;

public static class BackchannelApplicationExtensions
{
    /// <summary>
    /// Checks every setting and prepares the store, maps the endpoints and runs the server. A configuration or store
    /// problem ends it with exit code 1 and a list of what to fix, one line each, without a stack trace.
    /// </summary>
    public static async Task<int> RunBackchannelAsync(this WebApplication app, Action<BackchannelEndpointOptions>? configure = null)
    {
        try
        {
            app.Services.GetService<IStartupValidator>()?.Validate();
            await app.Services.GetRequiredService<BackchannelStartup>().RunAsync(app.Lifetime.ApplicationStopping);
        }
        catch (Exception ex) when (StartupErrors.Describe(ex) is { Count: > 0 } errors)
        {
            await Console.Error.WriteLineAsync("Backchannel cannot start; fix these settings:");
            foreach (var error in errors)
            {
                await Console.Error.WriteLineAsync("  - " + error);
            }

            return 1;
        }

        app.MapBackchannel(configure);
        await app.RunAsync();
        return 0;
    }
}
