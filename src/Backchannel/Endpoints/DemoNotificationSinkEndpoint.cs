using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Backchannel.Endpoints;

/// <summary>
/// POST /demo/client-notifications (demo data only): plays the notification endpoint of the demo ping and push clients
/// and writes what arrives to the log, so a first run shows all three delivery modes.
/// </summary>
internal static partial class DemoNotificationSinkEndpoint
{
    public static async Task HandleAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body);
        var body = await reader.ReadToEndAsync(context.RequestAborted);
        var logger = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Backchannel.Demo.ClientNotifications");
        LogReceived(logger, context.Request.Headers.Authorization.ToString(), body);
        context.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    [LoggerMessage(1, LogLevel.Warning, "\n[demo client endpoint] received a notification ({Authorization}):\n  {Body}\n")]
    private static partial void LogReceived(ILogger logger, string authorization, string body);
}
