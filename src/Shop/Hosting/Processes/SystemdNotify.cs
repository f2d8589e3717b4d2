using System.Net.Sockets;
using System.Text;

namespace Shop.Hosting.Processes;

/// <summary>
/// sd_notify(3) for <c>Type=notify</c>: one datagram to <c>$NOTIFY_SOCKET</c> ("READY=1" once the service
/// answers, "RELOADING=1", "STOPPING=1"). The protocol is one datagram, so no library is needed.
/// </summary>
public static class SystemdNotify
{
    public const string SocketVariable = "NOTIFY_SOCKET";

    public static void Send(string state)
    {
        var path = Environment.GetEnvironmentVariable(SocketVariable);
        if (string.IsNullOrEmpty(path))
        {
            return;
        }
        try
        {
            using var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
            // A leading '@' names a socket in the abstract namespace.
            socket.SendTo(Encoding.UTF8.GetBytes(state), new UnixDomainSocketEndPoint(path[0] == '@' ? "\0" + path[1..] : path));
        }
        catch (SocketException)
        {
            // systemd is gone or never listened: nobody waits for the message.
        }
    }
}
