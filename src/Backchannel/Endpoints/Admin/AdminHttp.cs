using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Backchannel.Abstractions;
using Backchannel.Admin;
using Backchannel.Protocol;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Backchannel.Endpoints.Admin;

/// <summary>
/// What every admin endpoint does the same way: admit the caller (a bearer token with the scope backchannel:admin; 401
/// with WWW-Authenticate without or with a bad token, 403 insufficient_scope without the scope), read a bounded JSON body,
/// read the paging parameters, and write JSON answers with their ETag, errors as <c>{"error", "error_description"}</c>.
/// </summary>
internal static class AdminHttp
{
    /// <summary>The endpoint, called only for an admitted caller.</summary>
    public static RequestDelegate Authorized(Func<HttpContext, AdminCaller, Task> endpoint) => async context =>
    {
        var token = ProtocolHttp.BearerToken(context.Request);
        var caller = await Service<AdminAuthorizer>(context).AuthorizeAsync(token, context.RequestAborted);
        if (!caller.Succeeded)
        {
            await ProtocolHttp.WriteErrorAsync(context, caller.Error, Challenge(token, caller.Error));
            return;
        }

        await endpoint(context, caller.Value);
    };

    public static T Service<T>(HttpContext context)
        where T : notnull => context.RequestServices.GetRequiredService<T>();

    /// <summary>A route value of the path (unescaped by routing).</summary>
    public static string Route(HttpContext context, string name) => context.Request.RouteValues[name] as string ?? string.Empty;

    /// <summary>The If-Match header, if any.</summary>
    public static string? IfMatch(HttpContext context) =>
        context.Request.Headers.IfMatch is { Count: > 0 } values ? string.Join(",", values.ToArray()) : null;

    /// <summary>A query parameter given at most once (null: absent), or invalid_request.</summary>
    public static ProtocolResult<string?> Query(HttpContext context, string name) =>
        context.Request.Query[name] switch
        {
            { Count: 0 } => ProtocolResult<string?>.Ok(null),
            { Count: 1 } values => ProtocolResult<string?>.Ok(values[0]),
            _ => ProtocolError.InvalidRequest($"The query parameter '{name}' appears more than once."),
        };

    /// <summary>The page size and the key to continue from (<c>limit</c>, <c>cursor</c>), or invalid_request.</summary>
    public static ProtocolResult<(int Limit, string? After)> Paging(HttpContext context)
    {
        var limitText = Query(context, "limit");
        var cursorText = Query(context, "cursor");
        if (!limitText.Succeeded || !cursorText.Succeeded)
        {
            return limitText.Error ?? cursorText.Error!;
        }

        var limit = AdminPaging.Limit(limitText.Value);
        var after = AdminPaging.Key(cursorText.Value);
        if (!limit.Succeeded || !after.Succeeded)
        {
            return limit.Error ?? after.Error!;
        }

        return (limit.Value, after.Value);
    }

    /// <summary>Reads a JSON body of at most <see cref="EndpointLimits.Admin"/> bytes; with <paramref name="optional"/>, an empty body is null.</summary>
    public static async ValueTask<ProtocolResult<T?>> ReadJsonAsync<T>(HttpContext context, JsonTypeInfo<T> type, bool optional = false)
        where T : class
    {
        var request = context.Request;
        if (optional && request.ContentLength is null or 0 && request.ContentType is null)
        {
            return ProtocolResult<T?>.Ok(null);
        }

        ProtocolResult<byte[]> body;
        try
        {
            body = await ProtocolHttp.ReadJsonBodyAsync(context, EndpointLimits.Admin);
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return ProtocolHttp.TooLarge(EndpointLimits.Admin);
        }

        if (!body.Succeeded)
        {
            return body.Error;
        }

        try
        {
            return JsonSerializer.Deserialize(body.Value, type) is { } value
                ? ProtocolResult<T?>.Ok(value)
                : ProtocolError.InvalidRequest("The request body must be a JSON object.");
        }
        catch (JsonException ex)
        {
            return ProtocolError.InvalidRequest("The request body is not the JSON this endpoint takes: " + ex.Message);
        }
    }

    /// <summary>Writes a result: the value as JSON with <paramref name="status"/>, or the error.</summary>
    public static Task WriteAsync<T>(HttpContext context, ProtocolResult<T> result, JsonTypeInfo<T> type, int status = StatusCodes.Status200OK)
    {
        if (!result.Succeeded)
        {
            return ProtocolHttp.WriteErrorAsync(context, result.Error);
        }

        context.Response.StatusCode = status;
        return ProtocolHttp.WriteJsonAsync(context, result.Value, type);
    }

    /// <summary>Writes a resource with its ETag (and, for a created one, its Location), or the error.</summary>
    public static Task WriteTaggedAsync<T>(HttpContext context, ProtocolResult<Tagged<T>> result, JsonTypeInfo<T> type,
        int status = StatusCodes.Status200OK, string? location = null)
    {
        if (!result.Succeeded)
        {
            return ProtocolHttp.WriteErrorAsync(context, result.Error);
        }

        context.Response.Headers.ETag = result.Value.ETag;
        if (location is not null)
        {
            context.Response.Headers.Location = location;
        }

        return WriteAsync(context, ProtocolResult<T>.Ok(result.Value.Value), type, status);
    }

    /// <summary>Writes a page, its <c>next</c> link made from this request's URL with the next cursor.</summary>
    public static Task WritePageAsync<T>(HttpContext context, Page<T> page, JsonTypeInfo<AdminPage<T>> type) =>
        ProtocolHttp.WriteJsonAsync(context, new AdminPage<T>(page.Items, page.NextCursor is { } cursor ? NextLink(context, cursor) : null), type);

    /// <summary>The absolute URL of the issuer's origin for a path of the admin API.</summary>
    public static string Url(HttpContext context, string pathUnderAdmin) =>
        Origin(context) + context.Request.PathBase + Service<ProviderUrls>(context).BasePath + EndpointPaths.Admin + pathUnderAdmin;

    private static string NextLink(HttpContext context, string cursor)
    {
        var query = context.Request.Query.Where(p => p.Key != "cursor")
            .Select(p => KeyValuePair.Create(p.Key, (string?)p.Value.ToString()))
            .Append(KeyValuePair.Create("cursor", (string?)cursor));
        return Origin(context) + context.Request.PathBase + context.Request.Path + QueryString.Create(query).ToUriComponent();
    }

    private static string Origin(HttpContext context) =>
        new Uri(Service<ProviderUrls>(context).Issuer).GetLeftPart(UriPartial.Authority);

    /// <summary>RFC 6750 3: no error code without a token; insufficient_scope names the scope needed.</summary>
    private static string Challenge(string? token, ProtocolError error) =>
        string.IsNullOrEmpty(token) ? ProtocolHttp.BearerChallengeWithoutError
        : error.Error == ErrorCodes.InsufficientScope ? $"Bearer error=\"{ErrorCodes.InsufficientScope}\", scope=\"{Scopes.Admin}\""
        : ProtocolHttp.BearerChallenge(error);
}
