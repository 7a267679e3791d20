using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;

namespace Backchannel.IntegrationTests.Hardening.Support;

/// <summary>A response read off a raw connection, and how much of the request body had been sent when it began.</summary>
internal sealed record RawResponse(int StatusCode, IReadOnlyDictionary<string, string> Headers, string Body, long BodyBytesSent)
{
    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;

    public JsonElement Json()
    {
        try
        {
            return JsonDocument.Parse(Body).RootElement.Clone();
        }
        catch (JsonException ex)
        {
            throw new Xunit.Sdk.XunitException($"The {StatusCode} response body is not JSON: {ex.Message}\n{Body}");
        }
    }
}

/// <summary>
/// HTTP/1.1 requests written by hand on a TCP connection, for bodies a client library would not send: a chunked body of
/// many megabytes produced lazily as it is sent, or a declared Content-Length whose body never comes. The response is read
/// while the body is still being written; the writing stops as soon as the first byte of the response arrives, so that
/// <see cref="RawResponse.BodyBytesSent"/> is how much of the body the server had been offered when it answered (bytes
/// still in the kernel's buffers included: an upper bound on what the server read).
/// </summary>
internal static class RawHttp
{
    private const int ChunkSize = 64 * 1024;

    /// <summary>
    /// Posts a chunked body (no Content-Length) of <paramref name="totalBytes"/>: <paramref name="prefix"/>, then
    /// <paramref name="filler"/> repeated, produced as it is written.
    /// </summary>
    public static Task<RawResponse> PostChunkedAsync(Uri url, string contentType, string prefix, long totalBytes, string? authorization = null,
        byte filler = (byte)'a', TimeSpan? timeout = null) =>
        ExchangeAsync(url, contentType, authorization, contentLength: null, async (stream, sent, responded) =>
        {
            var prefixBytes = Encoding.UTF8.GetBytes(prefix);
            var frame = new byte[ChunkSize + 16];
            while (sent.Value < totalBytes && !responded.IsCancellationRequested)
            {
                // One chunk: its size in hex, CRLF, the next bytes of the body, CRLF.
                var length = (int)Math.Min(ChunkSize, totalBytes - sent.Value);
                var sizeLine = Encoding.ASCII.GetBytes($"{length:x}\r\n");
                sizeLine.CopyTo(frame, 0);
                for (var i = 0; i < length; i++)
                {
                    var position = sent.Value + i;
                    frame[sizeLine.Length + i] = position < prefixBytes.Length ? prefixBytes[position] : filler;
                }

                "\r\n"u8.CopyTo(frame.AsSpan(sizeLine.Length + length));
                await stream.WriteAsync(frame.AsMemory(0, sizeLine.Length + length + 2), responded);
                sent.Value += length;
            }

            if (sent.Value >= totalBytes)
            {
                await stream.WriteAsync("0\r\n\r\n"u8.ToArray(), responded);
            }
        }, timeout);

    /// <summary>Posts headers declaring <paramref name="contentLength"/> bytes and sends only <paramref name="prefix"/> of them.</summary>
    public static Task<RawResponse> PostDeclaredLengthAsync(Uri url, string contentType, long contentLength, string prefix,
        string? authorization = null, TimeSpan? timeout = null) =>
        ExchangeAsync(url, contentType, authorization, contentLength, async (stream, sent, responded) =>
        {
            var bytes = Encoding.UTF8.GetBytes(prefix);
            await stream.WriteAsync(bytes, responded);
            sent.Value = bytes.Length;
        }, timeout);

    private static async Task<RawResponse> ExchangeAsync(Uri url, string contentType, string? authorization, long? contentLength,
        Func<Stream, StrongBox<long>, CancellationToken, Task> writeBody, TimeSpan? timeout)
    {
        using var overall = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        using var client = new TcpClient { NoDelay = true, SendBufferSize = 64 * 1024 };
        await client.ConnectAsync(url.Host, url.Port, overall.Token);
        var stream = client.GetStream();

        var head = new StringBuilder()
            .Append($"POST {url.PathAndQuery} HTTP/1.1\r\n")
            .Append($"Host: {url.Authority}\r\n")
            .Append($"Content-Type: {contentType}\r\n")
            .Append(contentLength is { } length ? $"Content-Length: {length}\r\n" : "Transfer-Encoding: chunked\r\n");
        if (authorization is not null)
        {
            head.Append($"Authorization: {authorization}\r\n");
        }

        head.Append("\r\n");
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head.ToString()), overall.Token);

        using var responded = CancellationTokenSource.CreateLinkedTokenSource(overall.Token);
        var reading = ReadResponseAsync(stream, responded, overall.Token);
        var sent = new StrongBox<long>(0);
        try
        {
            await writeBody(stream, sent, responded.Token);
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The server answered (the writing was stopped) or closed the connection: what was sent is what it was offered.
        }

        var (status, headers, body) = await reading;
        return new RawResponse(status, headers, body, sent.Value);
    }

    private static async Task<(int Status, IReadOnlyDictionary<string, string> Headers, string Body)> ReadResponseAsync(Stream stream,
        CancellationTokenSource responded, CancellationToken cancellationToken)
    {
        var received = new MemoryStream();
        var buffer = new byte[16 * 1024];
        while (true)
        {
            int read;
            try
            {
                read = await stream.ReadAsync(buffer, cancellationToken);
            }
            catch (IOException) when (received.Length > 0)
            {
                // A reset after the response: parse what arrived.
                read = 0;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw new Xunit.Sdk.XunitException($"No whole response arrived in time; received so far: {Encoding.UTF8.GetString(received.ToArray())}");
            }

            if (read > 0)
            {
                await responded.CancelAsync();
                received.Write(buffer, 0, read);
                if (TryParse(received.ToArray(), endOfStream: false) is { } complete)
                {
                    return complete;
                }

                continue;
            }

            return TryParse(received.ToArray(), endOfStream: true)
                   ?? throw new Xunit.Sdk.XunitException($"The connection ended before a whole response arrived: {Encoding.UTF8.GetString(received.ToArray())}");
        }
    }

    private static (int, IReadOnlyDictionary<string, string>, string)? TryParse(byte[] data, bool endOfStream)
    {
        var headEnd = data.AsSpan().IndexOf("\r\n\r\n"u8);
        if (headEnd < 0)
        {
            return null;
        }

        var lines = Encoding.ASCII.GetString(data, 0, headEnd).Split("\r\n");
        var status = int.Parse(lines[0].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in lines.Skip(1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            var name = line[..colon].Trim();
            var value = line[(colon + 1)..].Trim();
            headers[name] = headers.TryGetValue(name, out var earlier) ? earlier + ", " + value : value;
        }

        var body = data.AsSpan(headEnd + 4);
        if (headers.TryGetValue("Content-Length", out var declared))
        {
            var length = int.Parse(declared, System.Globalization.CultureInfo.InvariantCulture);
            return body.Length >= length ? (status, headers, Encoding.UTF8.GetString(body[..length])) : null;
        }

        if (headers.TryGetValue("Transfer-Encoding", out var encoding) && encoding.Contains("chunked", StringComparison.OrdinalIgnoreCase))
        {
            var decoded = new MemoryStream();
            while (true)
            {
                var lineEnd = body.IndexOf("\r\n"u8);
                if (lineEnd < 0)
                {
                    return null;
                }

                var size = Convert.ToInt32(Encoding.ASCII.GetString(body[..lineEnd]).Split(';')[0], 16);
                if (size == 0)
                {
                    return (status, headers, Encoding.UTF8.GetString(decoded.ToArray()));
                }

                if (body.Length < lineEnd + 2 + size + 2)
                {
                    return null;
                }

                decoded.Write(body.Slice(lineEnd + 2, size));
                body = body[(lineEnd + 2 + size + 2)..];
            }
        }

        return endOfStream || status is 204 or 304 ? (status, headers, Encoding.UTF8.GetString(body)) : null;
    }
}
