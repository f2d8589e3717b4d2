using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;

namespace Shop.Hosting.Processes;

/// <summary>The master's listening sockets, opened as Kestrel would and left open across exec for the workers.</summary>
public static class ListenSockets
{
    private const int Backlog = 512;

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
                    sockets.Add(Listen(new IPEndPoint(IPAddress.Loopback, port!.Value)));
                    try
                    {
                        sockets.Add(Listen(new IPEndPoint(IPAddress.IPv6Loopback, port.Value)));
                    }
                    catch (SocketException ex) when (ex.SocketErrorCode is SocketError.AddressFamilyNotSupported or SocketError.AddressNotAvailable)
                    {
                    }
                }
                else
                {
                    sockets.Add(Listen(new IPEndPoint(SettingValues.ListenAddress(host)!, port!.Value)));
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

    private static Socket Listen(IPEndPoint endpoint)
    {
        var socket = SocketTransportOptions.CreateDefaultBoundListenSocket(endpoint);
        try
        {
            socket.Listen(Backlog);
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
