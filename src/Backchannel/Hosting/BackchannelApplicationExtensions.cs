using Backchannel.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Microsoft.AspNetCore.Builder;

public static class BackchannelApplicationExtensions
{
    /// <summary>The property by which WebApplication knows that the authentication middleware is in the pipeline already.</summary>
    private const string AuthenticationMiddlewareSet = "__AuthenticationMiddlewareSet";

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

        // The server's endpoints authenticate explicitly (the portal its session cookie, clients and devices their
        // credentials) and no scheme is the default, so the authentication middleware, which WebApplication adds by itself
        // when authentication services are registered (the portal's cookie), would do nothing but cost every request a
        // scoped handler provider and a scheme lookup (about 1% of a flow's CPU and 1.3 KB of its allocations). A host that
        // maps Backchannel into an app of its own (MapBackchannel) keeps its own pipeline as it is.
        ((IApplicationBuilder)app).Properties[AuthenticationMiddlewareSet] = true;
        app.MapBackchannel(configure);
        await app.RunAsync();
        return 0;
    }
}
