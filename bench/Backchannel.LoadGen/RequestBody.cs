using System.Buffers;
using Microsoft.AspNetCore.Http;

namespace Backchannel.LoadGen;

/// <summary>Reading the small JSON bodies the generator's listener receives.</summary>
public static class RequestBody
{
    /// <summary>Reads the whole body (or its first <paramref name="maxBytes"/> and more) and parses it; the parser sees the bytes in place.</summary>
    public static async Task<T> ReadAsync<T>(HttpContext context, long maxBytes, Func<ReadOnlySequence<byte>, T> parse)
    {
        var reader = context.Request.BodyReader;
        while (true)
        {
            var result = await reader.ReadAsync(context.RequestAborted).ConfigureAwait(false);
            var buffer = result.Buffer;
            if (result.IsCompleted || buffer.Length > maxBytes)
            {
                var parsed = parse(buffer);
                reader.AdvanceTo(buffer.End);
                return parsed;
            }

            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }
}
