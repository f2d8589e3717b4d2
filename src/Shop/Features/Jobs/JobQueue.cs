using Microsoft.EntityFrameworkCore;
using Shop.Infrastructure;
using Shop.Infrastructure.Data;
using Shop.Infrastructure.Logging;
using Shop.Infrastructure.Metrics;
using Shop.Infrastructure.Queue;
using Shop.Rest;

namespace Shop.Features.Jobs;

/// <summary>The job queue: <c>jobs</c> rows that are queued, or running under a lease that ran out.</summary>
public sealed class JobQueue(
    IServiceScopeFactory scopes, QueueOptions options, TimeProvider clock, WriteGate gate, ShopMetrics metrics, ILogger<JobQueue> logger,
    IEnumerable<IJobHandler> handlers)
    : LeasedQueue(scopes, options, clock, gate, logger)
{
    private readonly Dictionary<string, IJobHandler> _handlers = handlers.ToDictionary(h => h.Kind);

    protected override string Table => "jobs";
    protected override string Waiting => $"Status IN ('{JobStatus.Queued}', '{JobStatus.Running}')";

    public TimeSpan LeaseLength => Options.Lease;

    protected override string Describe(long id) => $"Job {id}";

    /// <summary>Stores a job and its payload in one transaction and wakes the worker.</summary>
    public async Task<Job> EnqueueAsync(ShopDb db, string kind, string contentType, byte[] data, CancellationToken cancellationToken)
    {
        var job = new Job { Kind = kind, Status = JobStatus.Queued, CreatedAt = Clock.UtcNowToTheSecond() };
        await using (var transaction = await Gate.BeginAsync(db, cancellationToken))
        {
            db.Add(job);
            await db.SaveChangesAsync(cancellationToken);
            db.Add(new JobPayload { JobId = job.Id, ContentType = contentType, Data = data });
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        Notify();
        return job;
    }

    protected override async Task ProcessAsync(ShopDb db, Lease lease, CancellationToken cancellationToken)
    {
        var now = Clock.UtcNowToTheSecond();
        int held;
        using (await Gate.EnterAsync(cancellationToken))
        {
            held = await Mine(db, lease).ExecuteUpdateAsync(s => s
                .SetProperty(j => j.Status, JobStatus.Running).SetProperty(j => j.StartedAt, j => j.StartedAt ?? now), cancellationToken);
        }
        if (held == 0)
        {
            throw new LeaseLostException(Describe(lease.Id));
        }
        var job = await db.Set<Job>().SingleAsync(j => j.Id == lease.Id, cancellationToken);
        var payload = await db.Set<JobPayload>().SingleAsync(p => p.JobId == lease.Id, cancellationToken);
        var handler = _handlers.GetValueOrDefault(job.Kind) ?? throw new InvalidOperationException($"no handler for jobs of kind '{job.Kind}'");
        var result = await handler.RunAsync(new JobRun(db, Gate, lease, job, payload, this), cancellationToken);
        await FinishAsync(db, lease, JobStatus.Succeeded, result, null, cancellationToken);
        metrics.JobFinished(job.Kind, JobStatus.Succeeded);
        Logger.Info("Job {JobId} ({Kind}) succeeded", job.Id, job.Kind);
    }

    protected override async Task GiveUpAsync(ShopDb db, Lease lease, string error, CancellationToken cancellationToken)
    {
        await FinishAsync(db, lease, JobStatus.Failed, null, error, cancellationToken);
        metrics.JobFinished(await db.Set<Job>().Where(j => j.Id == lease.Id).Select(j => j.Kind).SingleAsync(cancellationToken), JobStatus.Failed);
    }

    /// <summary>Ends the job and drops its payload, only if this worker still holds it.</summary>
    private async Task FinishAsync(ShopDb db, Lease lease, string status, string? result, string? error, CancellationToken cancellationToken)
    {
        var now = Clock.UtcNowToTheSecond();
        await using var transaction = await Gate.BeginAsync(db, cancellationToken);
        var held = await Mine(db, lease).ExecuteUpdateAsync(s => s
            .SetProperty(j => j.Status, status).SetProperty(j => j.FinishedAt, now).SetProperty(j => j.StartedAt, j => j.StartedAt ?? now)
            .SetProperty(j => j.Result, j => result ?? j.Result).SetProperty(j => j.Error, error)
            .SetProperty(j => j.ClaimedBy, (string?)null).SetProperty(j => j.LeaseUntil, (long?)null), cancellationToken);
        if (held == 0)
        {
            throw new LeaseLostException(Describe(lease.Id));
        }
        await db.Set<JobPayload>().Where(p => p.JobId == lease.Id).ExecuteDeleteAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    private static IQueryable<Job> Mine(ShopDb db, Lease lease) =>
        db.Set<Job>().Where(j => j.Id == lease.Id && j.ClaimedBy == lease.Worker);
}
