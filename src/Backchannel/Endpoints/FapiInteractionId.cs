using Microsoft.AspNetCore.Http;

namespace Backchannel.Endpoints;

/// <summary>
/// The <c>x-fapi-interaction-id</c> header (FAPI 1.0 Part 1 6.2.1.11, FAPI 2.0): every answer of a protocol endpoint
/// carries the request's value when it is a UUID (RFC 4122, the hyphenated form), otherwise a fresh one, so that the client
/// and the provider can trace one interaction in their logs. Done for every client, FAPI or not: it costs one header.
/// </summary>
internal static class FapiInteractionId
{
    public const string HeaderName = "x-fapi-interaction-id";

    /// <summary>
    /// <paramref name="endpoint"/>, with the header on its answer: set before the endpoint runs, so error answers carry it
    /// too (<see cref="EndpointGuard"/> keeps it when it clears a failed answer).
    /// </summary>
    public static RequestDelegate Echo(RequestDelegate endpoint) => context =>
    {
        context.Response.Headers[HeaderName] = For(context.Request.Headers[HeaderName]);
        return endpoint(context);
    };

    /// <summary>The value to answer with: the received one when it is a single UUID, else a new random UUID.</summary>
    public static string For(Microsoft.Extensions.Primitives.StringValues received) =>
        received.Count == 1 && received[0] is { Length: 36 } value && Guid.TryParseExact(value, "D", out _) ? value : NewId();

    /// <summary>
    /// A random (version 4) UUID from <see cref="Random.Shared"/>: an interaction id correlates log lines and is no secret,
    /// so it needs no cryptographic randomness, whose system call made <see cref="Guid.NewGuid"/> cost ten times more.
    /// </summary>
    public static string NewId()
    {
        Span<byte> bytes = stackalloc byte[16];
        Random.Shared.NextBytes(bytes);

        // Guid's byte layout is little-endian in its first three fields: byte 7 holds the version, byte 8 the variant.
        bytes[7] = (byte)((bytes[7] & 0x0F) | 0x40);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes).ToString("D");
    }
}
