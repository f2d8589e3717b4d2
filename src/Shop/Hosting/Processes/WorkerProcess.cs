using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Reflection;

namespace Shop.Hosting.Processes;

/// <summary>One worker process as the master sees it: started from this same executable with the master's arguments.</summary>
public sealed class WorkerProcess : IDisposable
{
    private WorkerProcess(Process process, string heartbeatFile, int generation)
    {
        Process = process;
        Pid = process.Id;
        HeartbeatFile = heartbeatFile;
        Generation = generation;
        Started = DateTime.UtcNow;
    }

    public Process Process { get; }
    public int Pid { get; }

    /// <summary>Created by the worker when it serves, touched while it lives.</summary>
    public string HeartbeatFile { get; }

    /// <summary>Which reload started it: workers of an older generation stop once the new ones are ready.</summary>
    public int Generation { get; }

    public DateTime Started { get; }
    public bool Ready { get; set; }
    public bool Killed { get; private set; }

    /// <summary>Set when the worker was asked to stop: past it, the worker is killed.</summary>
    public DateTime? StopDeadline { get; set; }

    /// <summary>The last heartbeat; a worker still booting counts from its start.</summary>
    public DateTime LastBeat => Ready ? File.GetLastWriteTimeUtc(HeartbeatFile) is var beat && beat > Started ? beat : Started : DateTime.UtcNow;

    public static WorkerProcess Start(IReadOnlyList<string> arguments, string folder, IReadOnlyList<Socket> sockets, int generation)
    {
        // The way this process was started: the apphost (./shop) or the muxer (dotnet shop.dll).
        var executable = Environment.ProcessPath ?? throw new IOException("the path of this executable is unknown");
        var info = new ProcessStartInfo(executable) { UseShellExecute = false, RedirectStandardInput = true };
        if (Path.GetFileNameWithoutExtension(executable) == "dotnet")
        {
            info.ArgumentList.Add(Assembly.GetEntryAssembly()!.Location);
        }
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        var heartbeat = Path.Combine(folder, $"worker-{Guid.NewGuid():N}.alive");
        var environment = new WorkerEnvironment([.. sockets.Select(s => (int)s.Handle)], heartbeat, folder);
        environment.AddTo(info.Environment);
        // Only the master speaks to systemd and to the `serve --daemon` that started it.
        info.Environment.Remove(SystemdNotify.SocketVariable);
        info.Environment.Remove(Daemon.StatusVariable);
        var process = Process.Start(info) ?? throw new IOException($"{executable} did not start");
        return new WorkerProcess(process, heartbeat, generation);
    }

    public void Signal(int signal) => Posix.Signal(Pid, signal);

    public void Kill()
    {
        Killed = true;
        Posix.Signal(Pid, Posix.SigKill);
    }

    public void Dispose() => Process.Dispose();

    public override string ToString() => Pid.ToString(CultureInfo.InvariantCulture);
}
