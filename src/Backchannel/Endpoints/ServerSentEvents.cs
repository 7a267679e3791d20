using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Backchannel.Endpoints;

/// <summary>Server-Sent Events, as the app devices' stream and the portal's live view write them.</summary>
internal static class ServerSentEvents
{
    public const string MediaType = "text/event-stream";

    /// <summary>A comment that keeps an idle stream open.</summary>
    public const string KeepAlive = ": keep-alive\n\n";

    /// <summary>
    /// Sends the response's headers (the caller sets its content type and the others first) and turns buffering off, on
    /// this server and on a proxy in front, so that each event leaves when it is flushed.
    /// </summary>
    public static Task StartAsync(HttpContext context)
    {
        context.Response.Headers["X-Accel-Buffering"] = "no";
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        return context.Response.StartAsync(context.RequestAborted);
    }

    /// <summary>One event: each line of the data on its own <c>data:</c> line.</summary>
    public static string Event(string name, string data)
    {
        var text = new StringBuilder("event: ").Append(name).Append('\n');
        foreach (var line in data.ReplaceLineEndings("\n").Split('\n'))
        {
            text.Append("data: ").Append(line).Append('\n');
        }

        return text.Append('\n').ToString();
    }
}
