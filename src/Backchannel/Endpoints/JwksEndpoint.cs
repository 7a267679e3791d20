using Backchannel.Keys;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Backchannel.Endpoints;

/// <summary>GET /jwks: the public keys, the next one included before it signs.</summary>
internal static class JwksEndpoint
{
    public static Task HandleAsync(HttpContext context)
    {
        var jwks = context.RequestServices.GetRequiredService<KeyManager>().Current.JwksJson;
        context.Response.ContentType = "application/json";
        context.Response.Headers.CacheControl = "public, max-age=300";
        return context.Response.Body.WriteAsync(jwks, context.RequestAborted).AsTask();
    }
}
