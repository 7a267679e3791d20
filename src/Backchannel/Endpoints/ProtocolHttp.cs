using System.Text.Json.Serialization.Metadata;
using Backchannel.Protocol;
using Microsoft.AspNetCore.Http;

namespace Backchannel.Endpoints;

/// <summary>Reading form requests and writing protocol answers, the same way at every endpoint.</summary>
internal static class ProtocolHttp
{
    private const string FormContentType = "application/x-www-form-urlencoded";

    /// <summary>Reads a form-encoded body; a wrong content type, a malformed body or a repeated parameter is invalid_request.</summary>
    public static async ValueTask<ProtocolResult<RequestParameters>> ReadFormAsync(HttpContext context)
    {
        var request = context.Request;
        if (request.ContentType is not { } contentType
            || !contentType.StartsWith(FormContentType, StringComparison.OrdinalIgnoreCase))
        {
            return ProtocolError.InvalidRequest($"The request body must be {FormContentType}.");
        }

        IFormCollection form;
        try
        {
            form = await request.ReadFormAsync(context.RequestAborted);
        }
        catch (Exception ex) when (ex is InvalidDataException or BadHttpRequestException or IOException)
        {
            return ProtocolError.InvalidRequest("The request body is not a valid form.");
        }

        var parameters = new RequestParameters(new FormDictionary(form));
        if (parameters.FindRepeated() is { } repeated)
        {
            return ProtocolError.InvalidRequest($"The parameter '{repeated}' appears more than once.");
        }

        return parameters;
    }

    public static Task WriteErrorAsync(HttpContext context, ProtocolError error, bool basicChallenge = false)
    {
        var response = context.Response;
        response.StatusCode = error.StatusCode;
        SetNoStore(response);
        if (error.StatusCode == StatusCodes.Status401Unauthorized)
        {
            response.Headers.WWWAuthenticate = basicChallenge
                ? "Basic realm=\"backchannel\""
                : $"Bearer error=\"{error.Error}\"";
        }

        if (error.RetryAfterSeconds is { } retryAfter)
        {
            response.Headers.RetryAfter = retryAfter.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return response.WriteAsJsonAsync(new ErrorResponse(error.Error, ErrorDescriptions.Sanitize(error.Description)),
            ProtocolJsonContext.Default.ErrorResponse, contentType: "application/json", context.RequestAborted);
    }

    public static Task WriteJsonAsync<T>(HttpContext context, T value, JsonTypeInfo<T> typeInfo)
    {
        SetNoStore(context.Response);
        return context.Response.WriteAsJsonAsync(value, typeInfo, contentType: "application/json", context.RequestAborted);
    }

    public static void SetNoStore(HttpResponse response)
    {
        response.Headers.CacheControl = "no-store";
        response.Headers.Pragma = "no-cache";
    }

    /// <summary>The token of an <c>Authorization: Bearer</c> header, if any.</summary>
    public static string? BearerToken(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header[7..].Trim() : null;
    }

    private sealed class FormDictionary(IFormCollection form) : IReadOnlyDictionary<string, Microsoft.Extensions.Primitives.StringValues>
    {
        public Microsoft.Extensions.Primitives.StringValues this[string key] => form[key];
        public IEnumerable<string> Keys => form.Keys;
        public IEnumerable<Microsoft.Extensions.Primitives.StringValues> Values => form.Select(p => p.Value);
        public int Count => form.Count;
        public bool ContainsKey(string key) => form.ContainsKey(key);
        public bool TryGetValue(string key, out Microsoft.Extensions.Primitives.StringValues value) => form.TryGetValue(key, out value);
        public IEnumerator<KeyValuePair<string, Microsoft.Extensions.Primitives.StringValues>> GetEnumerator() => form.GetEnumerator();
        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
