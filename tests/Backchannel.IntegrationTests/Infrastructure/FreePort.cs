using System.Net;
using System.Net.Sockets;

namespace Backchannel.IntegrationTests.Infrastructure;

internal static class FreePort
{
    // Below Linux's ephemeral range (32768-60999), so that no outgoing connection takes a port between the moment it is
    // handed out and the moment a test server binds it; never the same port twice in one run.
    private const int First = 20000;
    private const int Last = 32000;
    private static int _next = First + Random.Shared.Next(Last - First);

    /// <summary>A loopback TCP port no other test of this run was given, free at the moment.</summary>
    public static int Next()
    {
        for (var attempt = 0; attempt < Last - First; attempt++)
        {
            var port = First + (Interlocked.Increment(ref _next) - First) % (Last - First);
            try
            {
                using var listener = new TcpListener(IPAddress.Loopback, port);
                listener.Start();
                return port;
            }
            catch (SocketException)
            {
            }
        }

        throw new InvalidOperationException("No free loopback port.");
    }
}
