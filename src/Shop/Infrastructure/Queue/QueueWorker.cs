using Shop.Infrastructure.Logging;
using Shop.Infrastructure.Metrics;

namespace Shop.Infrastructure.Queue;

/// <summary>
/// The background worker of one queue: works while there is work, then sleeps until woken by
/// <see cref="LeasedQueue.Notify"/> or the fallback poll. One worker per queue, so a long import
/// never holds up orders.
/// </summary>
public sealed class QueueWorker<TQueue>(TQueue queue, ShopMetrics metrics, QueueWorkerOptions options, ILogger<TQueue> logger) : BackgroundService
    where TQueue : LeasedQueue
{
    private readonly IDisposable _depth = metrics.ObserveQueueDepth(queue.Name, () => queue.Depth);

    public override void Dispose()
    {
        _depth.Dispose();
        base.Dispose();
    }

    private static readonly TimeSpan OrphanCheckInterval = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Run)
        {
            // An accept-only instance: the work it stores is processed by instances with workers.
            return;
        }
        // Off the starting thread, and never continued on a socket thread (an import parses its file between database writes).
        await PoolContinuations.Enter();
        var failing = false;
        var lookedForOrphans = DateTimeOffset.MinValue;
        while (!stoppingToken.IsCancellationRequested)
        {
            if (DateTimeOffset.UtcNow - lookedForOrphans > OrphanCheckInterval)
            {
                // At start, then at most every 5 s: items claimed by a worker of this machine that
                // died are taken back at once, not after their lease.
                lookedForOrphans = DateTimeOffset.UtcNow;
                try
                {
                    await queue.ReleaseOrphanedClaimsAsync(stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    logger.Debug("Could not look for orphaned claims (the claim loop reports outages): {Reason}", ex.Message);
                }
            }
            var claimed = 0;
            try
            {
                claimed = await queue.RunOnceAsync(stoppingToken);
                failing = false;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                // The database cannot be reached or written. The queue waits and tries again; the
                // outage itself is /readyz's ERROR (one page per outage, not one per component), so
                // this is a WARNING, once per outage.
                if (!failing)
                {
                    logger.Warning("Queue {Queue} cannot claim work, retrying: {Reason}", typeof(TQueue).Name, ex.Message);
                }
                failing = true;
            }
            if (claimed == 0)
            {
                try
                {
                    await queue.WaitAsync(stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }
    }
}
