using Shop.Infrastructure.Queue;

namespace Shop.Features.Jobs;

/// <summary>A background job row: both the durable message of the job queue and its visible state.</summary>
public sealed class Job : ILeased
{
    public long Id { get; set; }
    public required string Kind { get; set; }

    /// <summary>queued, running, succeeded or failed (<see cref="JobStatus"/>).</summary>
    public required string Status { get; set; }

    public DateTime CreatedAt { get; set; }
    public DateTime? StartedAt { get; set; }
    public DateTime? FinishedAt { get; set; }

    /// <summary>The kind's result as JSON; while running, the result so far.</summary>
    public string? Result { get; set; }

    public string? Error { get; set; }

    /// <summary>How far the job got, in the kind's own units (rows for an import): a restarted job resumes here.</summary>
    public int Progress { get; set; }

    public string? ClaimedBy { get; set; }
    public long? LeaseUntil { get; set; }
    public int Attempts { get; set; }
}
