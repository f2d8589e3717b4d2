using System.Net;
using System.Net.Sockets;

namespace Shop.Tests.Deploy;

/// <summary>
/// HTTP clients that may speak from another loopback address (127.0.0.2...), so that a test can be
/// "another machine" for nginx's allow lists and for Shop's trusted_proxies.
/// </summary>
public static class LoopbackClient
{
    public static HttpClient Create(Uri baseAddress, IPAddress? from = null)
    {
        var handler = new SocketsHttpHandler();
        if (from is not null)
        {
            handler.ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
                socket.Bind(new IPEndPoint(from, 0));
                await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            };
        }
        return new HttpClient(handler) { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
    }
}
