using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Backchannel.IntegrationTests.Hardening.Support;

/// <summary>One request a <see cref="ScriptedHttpServer"/> received (its head only; a body is left unread).</summary>
internal sealed record ScriptedRequest(string Method, string Path, int Number);

/// <summary>
/// An HTTP/1.1 server on a raw loopback socket, for answers a real server would not give: a body without length that never
/// ends, an answer that never comes. Each connection carries one request; the handler of its path writes whatever it likes
/// on the connection, which is closed when the handler returns. Counts the requests of each path and the connections open.
/// </summary>
internal sealed class ScriptedHttpServer : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly Func<ScriptedRequest, NetworkStream, CancellationToken, Task> _handle;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<string, int> _requests = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<TcpClient, byte> _connections = new();
    private readonly Task _accepting;
    private int _open;

    private ScriptedHttpServer(Func<ScriptedRequest, NetworkStream, CancellationToken, Task> handle)
    {
        _handle = handle;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start(backlog: 512);
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _accepting = AcceptAsync();
    }

    /// <summary>Starts a server whose <paramref name="handle"/> answers every request (by its path).</summary>
    public static ScriptedHttpServer Start(Func<ScriptedRequest, NetworkStream, CancellationToken, Task> handle) => new(handle);

    public int Port { get; }

    public string BaseUrl => $"http://127.0.0.1:{Port}";

    /// <summary>The connections whose handler has not returned (for a server that never answers: the requests it holds).</summary>
    public int OpenConnections => Volatile.Read(ref _open);

    /// <summary>How many requests for this path arrived.</summary>
    public int RequestsFor(string path) => _requests.TryGetValue(path, out var count) ? count : 0;

    /// <summary>Writes a whole response with a Content-Length (and closes the connection after it).</summary>
    public static async Task WriteResponseAsync(NetworkStream stream, int status, string contentType, string body, CancellationToken cancellationToken)
    {
        var content = Encoding.UTF8.GetBytes(body);
        var head = $"HTTP/1.1 {status} {(status == 200 ? "OK" : "Status")}\r\nContent-Type: {contentType}\r\nContent-Length: {content.Length}\r\nConnection: close\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head), cancellationToken);
        await stream.WriteAsync(content, cancellationToken);
    }

    /// <summary>
    /// Writes a 200 response with neither Content-Length nor chunked encoding (the body runs until the connection closes)
    /// and then <paramref name="body"/> over and over, up to <paramref name="maxBytes"/>, until the peer stops taking it.
    /// Returns how many body bytes the socket accepted: what the peer read, plus what the kernels buffered in between.
    /// </summary>
    public static async Task<long> WriteEndlessAsync(NetworkStream stream, string prefix, string body, long maxBytes, CancellationToken cancellationToken)
    {
        await stream.WriteAsync("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n"u8.ToArray(), cancellationToken);
        var first = Encoding.UTF8.GetBytes(prefix);
        await stream.WriteAsync(first, cancellationToken);
        long sent = first.Length;
        var repeated = Encoding.UTF8.GetBytes(body);
        try
        {
            while (sent < maxBytes)
            {
                await stream.WriteAsync(repeated, cancellationToken);
                sent += repeated.Length;
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
        {
            // The peer closed the connection: it took no more.
        }

        return sent;
    }

    private async Task AcceptAsync()
    {
        var number = 0;
        while (!_stopping.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stopping.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            // A small send buffer: what a peer did not read stays out of the count of bytes sent as far as possible.
            client.SendBufferSize = 16 * 1024;
            _ = ServeAsync(client, Interlocked.Increment(ref number));
        }
    }

    private async Task ServeAsync(TcpClient client, int number)
    {
        _connections[client] = 0;
        Interlocked.Increment(ref _open);
        try
        {
            var stream = client.GetStream();
            if (await ReadHeadAsync(stream) is { } request)
            {
                var parts = request.Split(' ', 3);
                var path = parts.Length > 1 ? parts[1] : "/";
                _requests.AddOrUpdate(path, 1, (_, count) => count + 1);
                await _handle(new ScriptedRequest(parts[0], path, number), stream, _stopping.Token);
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
        finally
        {
            Interlocked.Decrement(ref _open);
            _connections.TryRemove(client, out _);
            client.Dispose();
        }
    }

    /// <summary>The request line, once the whole head has arrived; null when the connection ends first.</summary>
    private async Task<string?> ReadHeadAsync(NetworkStream stream)
    {
        var head = new List<byte>();
        var buffer = new byte[1];
        while (head.Count < 16 * 1024)
        {
            if (await stream.ReadAsync(buffer, _stopping.Token) == 0)
            {
                return null;
            }

            head.Add(buffer[0]);
            if (head.Count >= 4 && head[^4] == '\r' && head[^3] == '\n' && head[^2] == '\r' && head[^1] == '\n')
            {
                var text = Encoding.ASCII.GetString(head.ToArray());
                return text[..text.IndexOf("\r\n", StringComparison.Ordinal)];
            }
        }

        return null;
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _listener.Stop();
        foreach (var client in _connections.Keys)
        {
            client.Dispose();
        }

        await _accepting;
        _stopping.Dispose();
    }
}
