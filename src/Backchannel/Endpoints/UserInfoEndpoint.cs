using System.Text.Json;
using Backchannel.Protocol;
using Backchannel.Users;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Backchannel.Endpoints;

/// <summary>GET or POST /userinfo (OpenID Connect Core 5.3).</summary>
internal static class UserInfoEndpoint
{
    public static async Task HandleAsync(HttpContext context)
    {
        var token = ProtocolHttp.BearerToken(context.Request);
        if (token is null && HttpMethods.IsPost(context.Request.Method) && context.Request.ContentType is not null)
        {
            // RFC 6750 2.2: the token may come in a form body instead.
            var form = await ProtocolHttp.ReadFormAsync(context, EndpointLimits.UserInfo);
            if (!form.Succeeded)
            {
                await ProtocolHttp.WriteErrorAsync(context, form.Error);
                return;
            }

            token = form.Value[Parameters.AccessToken];
        }

        var result = await context.RequestServices.GetRequiredService<UserInfoHandler>().HandleAsync(token, context.RequestAborted);
        if (!result.Succeeded)
        {
            // A request without any token is told that one is needed, without an error code in the challenge (RFC 6750 3.1).
            await ProtocolHttp.WriteBearerErrorAsync(context, result.Error, token);
            return;
        }

        ProtocolHttp.SetNoStore(context.Response);
        context.Response.ContentType = "application/json";
        await using var writer = new Utf8JsonWriter(context.Response.BodyWriter);
        WriteObject(writer, result.Value);
        await writer.FlushAsync(context.RequestAborted);
    }

    private static void WriteObject(Utf8JsonWriter writer, IReadOnlyDictionary<string, object> claims)
    {
        writer.WriteStartObject();
        foreach (var (name, value) in claims)
        {
            writer.WritePropertyName(name);
            switch (value)
            {
                case bool flag:
                    writer.WriteBooleanValue(flag);
                    break;
                case IReadOnlyDictionary<string, object> nested:
                    WriteObject(writer, nested);
                    break;
                default:
                    writer.WriteStringValue(value.ToString());
                    break;
            }
        }

        writer.WriteEndObject();
    }
}
