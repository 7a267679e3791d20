using Microsoft.AspNetCore.Http;

namespace Backchannel.Endpoints;

/// <summary>GET /device/assets/{name}: the portal's script and style sheet, embedded in the assembly.</summary>
internal static class PortalAssetEndpoint
{
    private static readonly Dictionary<string, string> ContentTypes = new(StringComparer.Ordinal)
    {
        ["portal.js"] = "text/javascript; charset=utf-8",
        ["portal.css"] = "text/css; charset=utf-8",
    };

    public static async Task HandleAsync(HttpContext context)
    {
        var name = context.Request.RouteValues["name"] as string;
        var stream = name is not null && ContentTypes.ContainsKey(name)
            ? typeof(PortalAssetEndpoint).Assembly.GetManifestResourceStream("Backchannel.Portal.Assets." + name)
            : null;
        if (stream is null)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        await using (stream)
        {
            context.Response.ContentType = ContentTypes[name!];
            context.Response.ContentLength = stream.Length;
            context.Response.Headers.CacheControl = "no-cache";
            context.Response.Headers.XContentTypeOptions = "nosniff";
            await stream.CopyToAsync(context.Response.Body, context.RequestAborted);
        }
    }
}
