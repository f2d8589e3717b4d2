namespace Shop.Infrastructure.Queue;

/// <summary>
/// How the database-backed queues behave. The defaults suit production; tests replace the
/// singleton to make leases and retries short.
/// </summary>
public sealed class QueueOptions
{
    /// <summary>
    /// How long a claim protects an item. A worker that dies keeps its items only this long; then
    /// another worker (or this process after a restart) takes them again.
    /// </summary>
    public TimeSpan Lease { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The slow fallback poll: new work in this process wakes the worker at once, but work left by
    /// a crashed worker or accepted by another instance is only seen by looking.
    /// </summary>
    public TimeSpan FallbackPoll { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Attempts before an item is given up (a job ends failed, an order rejected).</summary>
    public int MaxAttempts { get; init; } = 5;

    /// <summary>The delay before the first retry; it doubles with every further attempt.</summary>
    public TimeSpan FirstRetryDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>How many items one claim takes, so that one write claims work for many.</summary>
    public int ClaimBatch { get; init; } = 64;

    /// <summary>Names this process in claims; unique per start so a restarted process never trusts an old claim.</summary>
    public string WorkerId { get; } = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid().ToString("N")[..8]}";

    public TimeSpan RetryDelay(int attempt) =>
        TimeSpan.FromTicks(Math.Min(FirstRetryDelay.Ticks << Math.Min(attempt - 1, 16), TimeSpan.FromMinutes(1).Ticks));
}
