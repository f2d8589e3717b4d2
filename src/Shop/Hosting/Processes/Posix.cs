using System.Runtime.InteropServices;

namespace Shop.Hosting.Processes;

/// <summary>
/// The few POSIX calls .NET does not wrap: clearing close-on-exec so a worker inherits the listening
/// sockets, sending any signal (Process.Kill sends only SIGKILL), and detaching into a new session.
/// </summary>
internal static class Posix
{
    public const int SigHup = 1;
    public const int SigInt = 2;
    public const int SigQuit = 3;
    public const int SigKill = 9;
    public const int SigUsr1 = 10;
    public const int SigTerm = 15;
    public const int SigTtin = 21;
    public const int SigTtou = 22;

    private const int FGetFd = 1;
    private const int FSetFd = 2;
    private const int FdCloexec = 1;

    /// <summary>Lets the descriptor survive exec, so processes started from here inherit it.</summary>
    public static void KeepOpenAcrossExec(nint fd)
    {
        var flags = Fcntl((int)fd, FGetFd, 0);
        if (flags < 0 || Fcntl((int)fd, FSetFd, flags & ~FdCloexec) < 0)
        {
            throw new IOException($"fcntl({fd}): errno {Marshal.GetLastPInvokeError()}");
        }
    }

    /// <summary>Sends <paramref name="signal"/>; false when the process is gone.</summary>
    public static bool Signal(int pid, int signal) => Kill(pid, signal) == 0;

    /// <summary>Makes this process the leader of a new session, without a controlling terminal.</summary>
    public static void NewSession()
    {
        if (SetSid() < 0)
        {
            throw new IOException($"setsid: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    /// <summary>Points descriptor <paramref name="target"/> (0, 1, 2) at the file of <paramref name="fd"/>.</summary>
    public static void Redirect(nint fd, int target)
    {
        if (Dup2((int)fd, target) < 0)
        {
            throw new IOException($"dup2({fd}, {target}): errno {Marshal.GetLastPInvokeError()}");
        }
    }

    [DllImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    private static extern int Fcntl(int fd, int command, int argument);

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

    [DllImport("libc", EntryPoint = "setsid", SetLastError = true)]
    private static extern int SetSid();

    [DllImport("libc", EntryPoint = "dup2", SetLastError = true)]
    private static extern int Dup2(int fd, int target);
}
