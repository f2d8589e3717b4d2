using Microsoft.EntityFrameworkCore;
using Shop.Infrastructure.Data;
using Shop.Infrastructure.Queue;

namespace Shop.Features.Jobs;

/// <summary>One run of a job, as its handler sees it.</summary>
public sealed class JobRun(ShopDb db, WriteGate gate, Lease lease, Job job, JobPayload payload, JobQueue queue)
{
    public ShopDb Db => db;

    /// <summary>Take write transactions through this gate, one batch at a time, so that orders go on between batches.</summary>
    public WriteGate Gate => gate;
    public long JobId => job.Id;
    public JobPayload Payload => payload;

    /// <summary>Where a previous, interrupted run stopped (0 on the first run).</summary>
    public int Progress => job.Progress;

    /// <summary>The result so far of a previous, interrupted run.</summary>
    public string? PartialResult => job.Result;

    /// <summary>
    /// Records progress and renews the lease. Call it inside the transaction that does the work it
    /// counts, so that the work and the count commit together: a restarted job then resumes exactly
    /// where the last commit left it, and no row is applied twice.
    /// </summary>
    public async Task CheckpointAsync(int progress, string partialResult, CancellationToken cancellationToken)
    {
        var until = queue.NowMs + (long)queue.LeaseLength.TotalMilliseconds;
        var held = await db.Set<Job>().Where(j => j.Id == job.Id && j.ClaimedBy == lease.Worker)
            .ExecuteUpdateAsync(s => s.SetProperty(j => j.Progress, progress).SetProperty(j => j.Result, partialResult).SetProperty(j => j.LeaseUntil, until), cancellationToken);
        if (held == 0)
        {
            throw new LeaseLostException($"Job {job.Id}");
        }
    }
}
