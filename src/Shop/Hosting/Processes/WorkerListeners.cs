using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;

namespace Shop.Hosting.Processes;

/// <summary>
/// The listening sockets a worker inherited from its master, owned by the worker, so that a worker
/// that leaves (a reload, TTOU, <c>max_requests</c>, the master's TERM) stops accepting before
/// Kestrel stops. Kestrel's stop closes every kept-alive connection that is between requests, and a
/// client that had just sent its next request on one gets no answer (the request fails, and a POST
/// cannot be resent). So a leaving worker first lets go of its copy of each socket (its siblings,
/// sharing them, accept what comes next), then for <see cref="LeaveWindow"/> answers every request
/// with <c>Connection: close</c> (see <see cref="Draining"/>), so each busy client closes its
/// connection after an answer, and only then lets Kestrel stop.
/// </summary>
public sealed class WorkerListeners
{
    /// <summary>How long a leaving worker serves its kept-alive connections, closing each after its next answer.</summary>
    public static readonly TimeSpan LeaveWindow = TimeSpan.FromSeconds(1);

    private readonly List<Socket> _sockets = [];

    /// <summary>
    /// Kestrel's socket for a handle does not own it, so the inherited descriptor would stay open
    /// until the process exits: after a graceful stop of the whole service the port would go on
    /// taking connections that nobody accepts, and reset them at exit. Owned, it is closed when the
    /// worker stops accepting, and the port closes once the last worker has (the master lets go of
    /// its copy at TERM).
    /// </summary>
    public Socket Create(EndPoint endpoint)
    {
        if (endpoint is not FileHandleEndPoint handle)
        {
            return SocketTransportOptions.CreateDefaultBoundListenSocket(endpoint);
        }
        var socket = new Socket(new SafeSocketHandle((IntPtr)handle.FileHandle, ownsHandle: true));
        lock (_sockets)
        {
            _sockets.Add(socket);
        }
        return socket;
    }

    /// <summary>Closes this worker's copies of the listening sockets: Kestrel's accept loops end quietly (a disposed listener is how it stops them too).</summary>
    public void StopAccepting()
    {
        lock (_sockets)
        {
            foreach (var socket in _sockets)
            {
                socket.Dispose();
            }
        }
    }
}
