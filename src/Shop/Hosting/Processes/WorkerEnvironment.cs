using System.Globalization;

namespace Shop.Hosting.Processes;

/// <summary>
/// What a master hands each worker it starts, in environment variables (internal: set only by the
/// master): the inherited listening sockets, the worker's heartbeat file and the folder of the
/// metrics snapshots. A process that finds them serves as a worker.
/// </summary>
public sealed record WorkerEnvironment(IReadOnlyList<int> ListenFds, string HeartbeatFile, string MetricsFolder)
{
    public const string ListenFdsVariable = "SHOP_MASTER_LISTEN_FDS";
    public const string HeartbeatVariable = "SHOP_MASTER_HEARTBEAT";
    public const string MetricsVariable = "SHOP_MASTER_METRICS";

    /// <summary>
    /// Test-only: names a file; while it exists, a worker skips its heartbeat, as a stuck one would,
    /// so the tests can see the master replace it. Production never sets it.
    /// </summary>
    public const string TestOnlyStopHeartbeatVariable = "SHOP_TEST_ONLY_STOP_HEARTBEAT_WHILE";

    /// <summary>This process's worker environment; null when it is not a master's worker.</summary>
    public static WorkerEnvironment? Current { get; } = Read();

    public void AddTo(IDictionary<string, string?> environment)
    {
        environment[ListenFdsVariable] = string.Join(',', ListenFds.Select(fd => fd.ToString(CultureInfo.InvariantCulture)));
        environment[HeartbeatVariable] = HeartbeatFile;
        environment[MetricsVariable] = MetricsFolder;
    }

    private static WorkerEnvironment? Read()
    {
        var fds = Environment.GetEnvironmentVariable(ListenFdsVariable);
        var heartbeat = Environment.GetEnvironmentVariable(HeartbeatVariable);
        var metrics = Environment.GetEnvironmentVariable(MetricsVariable);
        return fds is { Length: > 0 } && heartbeat is { Length: > 0 } && metrics is { Length: > 0 }
            ? new WorkerEnvironment(fds.Split(',').Select(fd => int.Parse(fd, CultureInfo.InvariantCulture)).ToList(), heartbeat, metrics)
            : null;
    }
}
