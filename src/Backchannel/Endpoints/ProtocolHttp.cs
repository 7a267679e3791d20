using System.Text.Json.Serialization.Metadata;
using Backchannel.Protocol;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using System.Text;
using Microsoft.Net.Http.Headers;

namespace Backchannel.Endpoints;

/// <summary>Reading form requests and writing protocol answers, the same way at every endpoint.</summary>
internal static class ProtocolHttp
{
    private const string FormContentType = "application/x-www-form-urlencoded";

    /// <summary>
    /// Reads a form-encoded body of at most <paramref name="maxBytes"/> bytes, counted as they are read (chunked bodies
    /// included), with at most 64 parameters of at most 128-character names. A body over the limit is 413; a wrong
    /// content type, a malformed body or a repeated parameter is invalid_request.
    /// </summary>
    public static async ValueTask<ProtocolResult<RequestParameters>> ReadFormAsync(HttpContext context, long maxBytes)
    {
        var request = context.Request;
        if (!IsMediaType(request.ContentType, FormContentType))
        {
            return ProtocolError.InvalidRequest($"The request body must be {FormContentType}.");
        }

        if (LimitBody(context, maxBytes) is { } tooLarge)
        {
            return tooLarge;
        }

        IFormCollection form;
        try
        {
            form = await request.ReadFormAsync(FormLimits(maxBytes), context.RequestAborted);
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return TooLarge(maxBytes);
        }
        catch (Exception ex) when (ex is InvalidDataException or BadHttpRequestException or IOException or InvalidOperationException or DecoderFallbackException)
        {
            return ProtocolError.InvalidRequest("The request body is not a valid form (at most 64 parameters, names of at most 128 characters).");
        }

        var parameters = new RequestParameters(new FormDictionary(form));
        if (parameters.FindRepeated() is { } repeated)
        {
            return ProtocolError.InvalidRequest($"The parameter '{repeated}' appears more than once.");
        }

        return parameters;
    }

    /// <summary>The form limits for bodies of at most <paramref name="maxBytes"/> (one instance per limit: the endpoints use a few).</summary>
    private static FormOptions FormLimits(long maxBytes)
    {
        if (_lastFormLimit is { } cached && cached.MaxBytes == maxBytes) // one reference: read whole, never torn
        {
            return cached.Options;
        }

        var options = new FormOptions
        {
            ValueCountLimit = 64,
            KeyLengthLimit = 128,
            ValueLengthLimit = (int)Math.Min(maxBytes, int.MaxValue),
            BufferBody = false,
        };
        _lastFormLimit = new FormLimit(maxBytes, options);
        return options;
    }

    private sealed record FormLimit(long MaxBytes, FormOptions Options);

    private static FormLimit? _lastFormLimit;

    /// <summary>Whether a Content-Type header names exactly this media type (parameters such as charset allowed).</summary>
    public static bool IsMediaType(string? contentType, string mediaType) =>
        string.Equals(contentType, mediaType, StringComparison.OrdinalIgnoreCase) // the usual header, without parsing it
        || (MediaTypeHeaderValue.TryParse(contentType, out var parsed) && parsed.MediaType.Equals(mediaType, StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// Makes the server stop reading the body after <paramref name="maxBytes"/> (Kestrel counts the bytes as they arrive);
    /// a declared length over the limit is refused at once.
    /// </summary>
    public static ProtocolError? LimitBody(HttpContext context, long maxBytes)
    {
        if (context.Request.ContentLength > maxBytes)
        {
            return TooLarge(maxBytes);
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = maxBytes;
        }

        return null;
    }

    public static ProtocolError TooLarge(long maxBytes) =>
        ProtocolError.InvalidRequest($"The request body is larger than {maxBytes} bytes.") with { StatusCode = StatusCodes.Status413PayloadTooLarge };

    /// <summary>The challenge of a failed HTTP Basic client authentication (RFC 6749 5.2).</summary>
    public const string BasicChallenge = "Basic realm=\"backchannel\"";

    /// <summary>The challenge of a refused bearer token (RFC 6750 3).</summary>
    public static string BearerChallenge(ProtocolError error) => $"Bearer error=\"{error.Error}\"";

    /// <summary>The challenge to a request that sent no token at all: no error code (RFC 6750 3.1).</summary>
    public const string BearerChallengeWithoutError = "Bearer realm=\"backchannel\"";

    /// <summary>Writes the protocol's JSON error, with <paramref name="challenge"/> as WWW-Authenticate when given.</summary>
    public static Task WriteErrorAsync(HttpContext context, ProtocolError error, string? challenge = null)
    {
        var response = context.Response;
        response.StatusCode = error.StatusCode;
        SetNoStore(response);
        if (challenge is not null)
        {
            response.Headers.WWWAuthenticate = challenge;
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

    /// <summary>
    /// Writes a refusal of a bearer-token request: a 401 or 403 carries the challenge, without an error code when the
    /// request sent no token at all (RFC 6750 3.1); other errors (a malformed body) carry none.
    /// </summary>
    public static Task WriteBearerErrorAsync(HttpContext context, ProtocolError error, string? presentedToken) =>
        WriteErrorAsync(context, error, error.StatusCode is not (StatusCodes.Status401Unauthorized or StatusCodes.Status403Forbidden) ? null
            : string.IsNullOrEmpty(presentedToken) ? BearerChallengeWithoutError : BearerChallenge(error));

    /// <summary>
    /// Reads an <c>application/json</c> body of at most <paramref name="maxBytes"/> bytes, counted as they are read
    /// (chunked bodies included). A body over the limit is 413; another content type is invalid_request.
    /// </summary>
    public static async ValueTask<ProtocolResult<byte[]>> ReadJsonBodyAsync(HttpContext context, long maxBytes)
    {
        if (!IsMediaType(context.Request.ContentType, JsonContentType))
        {
            return ProtocolError.InvalidRequest($"The request body must be {JsonContentType}.");
        }

        if (LimitBody(context, maxBytes) is { } tooLarge)
        {
            return tooLarge;
        }

        using var body = new MemoryStream();
        var chunk = new byte[8 * 1024];
        int read;
        while ((read = await context.Request.Body.ReadAsync(chunk, context.RequestAborted)) > 0)
        {
            if (body.Length + read > maxBytes)
            {
                return TooLarge(maxBytes);
            }

            body.Write(chunk, 0, read);
        }

        return body.ToArray();
    }

    private const string JsonContentType = "application/json";

    /// <summary>The token of an <c>Authorization: Bearer</c> header, if any.</summary>
    public static string? BearerToken(HttpRequest request) => AuthorizationToken(request, "Bearer");

    /// <summary>The token of an <c>Authorization</c> header of <paramref name="scheme"/> (Bearer, DPoP), if any.</summary>
    public static string? AuthorizationToken(HttpRequest request, string scheme)
    {
        var header = request.Headers.Authorization.ToString();
        return header.Length > scheme.Length && header[scheme.Length] == ' ' && header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase)
            ? header[(scheme.Length + 1)..].Trim()
            : null;
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
