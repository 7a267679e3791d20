using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Backchannel.Endpoints;

/// <summary>GET /.well-known/openid-configuration: the provider metadata, with the CIBA metadata (CIBA 4).</summary>
internal static class DiscoveryEndpoint
{
    public static Task HandleAsync(HttpContext context)
    {
        var document = context.RequestServices.GetRequiredService<DiscoveryDocumentCache>().Json;
        context.Response.ContentType = "application/json";
        context.Response.Headers.CacheControl = "public, max-age=300";
        return context.Response.Body.WriteAsync(document, context.RequestAborted).AsTask();
    }
}
