using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;

namespace Shop.Hosting;

/// <summary>
/// Tries each <c>bind</c> address before Kestrel starts, so a taken port or an address the machine
/// does not have stops start-up with one line naming the address. When Kestrel itself fails to bind,
/// the host logs the exception with its stack trace and the process ends with another one.
/// </summary>
public static class ListenCheck
{
    /// <summary>The first bind entry that cannot be listened on, as "ADDRESS reason"; null when all can.</summary>
    public static string? FindProblem(IEnumerable<string> bind)
    {
        foreach (var item in bind)
        {
            // The setting was checked at load, so both parts are there.
            var (host, port) = SettingValues.HostAndPort(item);
            // Kestrel binds localhost to both loopback addresses and fails only when one is taken
            // or neither can be bound (a machine without IPv6 still serves on 127.0.0.1).
            IPAddress[] addresses = host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
                ? [IPAddress.Loopback, IPAddress.IPv6Loopback]
                : [SettingValues.ListenAddress(host)!];
            var errors = addresses.Select(address => TryListen(new IPEndPoint(address, port!.Value))).ToList();
            var error = errors.FirstOrDefault(e => e?.SocketErrorCode == SocketError.AddressAlreadyInUse)
                ?? (errors.All(e => e is not null) ? errors[0] : null);
            if (error is not null)
            {
                return $"{item} {Describe(error)}";
            }
        }
        return null;
    }

    /// <summary>Whether a failure of Kestrel's start is one of binding its addresses.</summary>
    public static bool IsBindFailure(Exception exception) =>
        exception is SocketException or IOException { InnerException: SocketException or AggregateException or Microsoft.AspNetCore.Connections.AddressInUseException };

    private static SocketException? TryListen(IPEndPoint endpoint)
    {
        try
        {
            // The socket Kestrel's transport would make (IPv6Any dual-mode, the runtime's reuse options).
            using var socket = SocketTransportOptions.CreateDefaultBoundListenSocket(endpoint);
            socket.Listen(1);
            return null;
        }
        catch (SocketException ex)
        {
            return ex;
        }
    }

    private static string Describe(SocketException error) => error.SocketErrorCode switch
    {
        SocketError.AddressAlreadyInUse => "is already in use",
        SocketError.AddressNotAvailable => "is not an address of this machine",
        SocketError.AccessDenied => "is not allowed (ports below 1024 need root or CAP_NET_BIND_SERVICE)",
        SocketError.AddressFamilyNotSupported => "cannot be used: this machine has no IPv6",
        _ => $"cannot be listened on ({error.Message})",
    };
}
