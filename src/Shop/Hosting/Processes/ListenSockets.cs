using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;

namespace Shop.Hosting.Processes;

/// <summary>
/// The master's sockets, bound as Kestrel would and left open across exec for the workers. They are
/// bound (the address is the service's, and a taken one is the master's start-up error) but not yet
/// listening: the first worker's Kestrel calls listen() on the socket it inherits, as on one it
/// binds itself. Until a worker can accept, a connection is refused — nginx and other balancers go
/// to the next instance at once — instead of waiting in an accept queue that nobody reads while the
/// workers boot; from then on the queue outlives every worker.
/// </summary>
public static class ListenSockets
{
    public static List<Socket> Open(IEnumerable<string> bind)
    {
        var sockets = new List<Socket>();
        try
        {
            foreach (var item in bind)
            {
                var (host, port) = SettingValues.HostAndPort(item);
                if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase))
                {
                    // As Kestrel does: both loopbacks, and a machine without IPv6 still serves on 127.0.0.1.
                    sockets.Add(Bind(new IPEndPoint(IPAddress.Loopback, port!.Value)));
                    try
                    {
                        sockets.Add(Bind(new IPEndPoint(IPAddress.IPv6Loopback, port.Value)));
                    }
                    catch (SocketException ex) when (ex.SocketErrorCode is SocketError.AddressFamilyNotSupported or SocketError.AddressNotAvailable)
                    {
                    }
                }
                else
                {
                    sockets.Add(Bind(new IPEndPoint(SettingValues.ListenAddress(host)!, port!.Value)));
                }
            }
        }
        catch
        {
            sockets.ForEach(s => s.Dispose());
            throw;
        }
        return sockets;
    }

    public static string Describe(Socket socket) => socket.LocalEndPoint switch
    {
        IPEndPoint { AddressFamily: AddressFamily.InterNetworkV6 } v6 => $"[{v6.Address}]:{v6.Port}",
        var endpoint => endpoint?.ToString() ?? "?",
    };

    private static Socket Bind(IPEndPoint endpoint)
    {
        var socket = SocketTransportOptions.CreateDefaultBoundListenSocket(endpoint);
        try
        {
            Posix.KeepOpenAcrossExec(socket.Handle);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
