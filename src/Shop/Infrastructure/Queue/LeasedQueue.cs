using System.Data.Common;
using Shop.Infrastructure.Data;
using Shop.Infrastructure.Logging;

namespace Shop.Infrastructure.Queue;

/// <summary>
/// A queue kept in a table (the database-as-queue pattern): a waiting row IS the durable message,
/// written in the same transaction as the answer that accepted it. Workers claim rows with a lease
/// in one conditional UPDATE, so two workers never hold one row, and a row held by a worker that
/// died becomes claimable again when its lease runs out. Processing is at least once; each
/// subclass makes the effect happen once by finishing with an update conditional on still holding
/// the claim, in the same transaction as the effect.
/// <para>
/// This class runs the claimed items with their attempts, retries and giving up; the statements on
/// the lease columns are in <see cref="LeaseClaims"/>, the claims of processes that are gone in
/// <see cref="OrphanedClaims"/>.
/// </para>
/// </summary>
public abstract class LeasedQueue(IServiceScopeFactory scopes, QueueOptions options, TimeProvider clock, WriteGate gate, ILogger logger)
{
    private readonly SemaphoreSlim _wake = new(0, 1);

    protected IServiceScopeFactory Scopes => scopes;
    protected QueueOptions Options => options;
    protected TimeProvider Clock => clock;
    protected ILogger Logger => logger;
    protected WriteGate Gate => gate;

    /// <summary>The table name.</summary>
    protected abstract string Table { get; }

    /// <summary>The SQL condition of rows waiting for a worker (besides the lease), e.g. <c>Status = 'pending'</c>.</summary>
    protected abstract string Waiting { get; }

    /// <summary>The item for log lines, e.g. "order 12".</summary>
    protected abstract string Describe(long id);

    /// <summary>Does the work of one item; must check, in its final transaction, that it still holds the claim.</summary>
    protected abstract Task ProcessAsync(ShopDb db, Lease lease, CancellationToken cancellationToken);

    /// <summary>Ends an item that keeps failing, visibly (a job failed, an order rejected) and never silently.</summary>
    protected abstract Task GiveUpAsync(ShopDb db, Lease lease, string error, CancellationToken cancellationToken);

    /// <summary>Wakes the worker: called after accepting work, so it is picked up within milliseconds.</summary>
    public void Notify()
    {
        if (_wake.CurrentCount == 0)
        {
            try
            {
                _wake.Release();
            }
            catch (SemaphoreFullException)
            {
                // Another caller woke the worker at the same moment; one wake-up is enough.
            }
        }
    }

    /// <summary>Waits for <see cref="Notify"/> or, failing that, the fallback poll.</summary>
    public Task WaitAsync(CancellationToken cancellationToken) => _wake.WaitAsync(options.FallbackPoll, cancellationToken);

    public long NowMs => clock.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>The queue's name in metrics: its table.</summary>
    public string Name => Table;

    /// <summary>Items waiting, as counted after the last claim: read by the metrics scrape, which must not query.</summary>
    public long Depth => Interlocked.Read(ref _depth);

    private long _depth;

    /// <summary>Claims a batch of waiting items and processes them one by one; returns how many it claimed.</summary>
    public async Task<int> RunOnceAsync(CancellationToken cancellationToken)
    {
        IReadOnlyList<Lease> leases;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<ShopDb>();
            leases = await ClaimAsync(db, cancellationToken);
        }
        if (leases.Count > 0)
        {
            await ProcessClaimedAsync(leases, cancellationToken);
        }
        return leases.Count;
    }

    /// <summary>
    /// Frees the claims of workers on this machine whose process is gone (killed, crashed), so a
    /// restarted service — or another instance on the machine — takes their items at once instead
    /// of after the lease. A wrong guess costs only work, never a second effect: an item's effect
    /// is committed only by the worker that still holds its claim when it finishes.
    /// </summary>
    /// <returns>How many items were freed.</returns>
    public async Task<int> ReleaseOrphanedClaimsAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ShopDb>();
        return await OrphanedClaims.ReleaseAsync(db, Table, Waiting, options.WorkerId, gate, logger, cancellationToken);
    }

    /// <summary>Processes a claimed batch; by default one item at a time, each with its own retries.</summary>
    protected virtual async Task ProcessClaimedAsync(IReadOnlyList<Lease> leases, CancellationToken cancellationToken)
    {
        foreach (var lease in leases)
        {
            await RunAsync(lease, cancellationToken);
        }
    }

    private async Task<IReadOnlyList<Lease>> ClaimAsync(ShopDb db, CancellationToken cancellationToken)
    {
        var (leases, depth) = await LeaseClaims.ClaimAsync(db, Table, Waiting, options, gate, NowMs, cancellationToken);
        // Counted here, in the background, because the metrics scrape must not query.
        Interlocked.Exchange(ref _depth, depth);
        return leases;
    }

    /// <summary>Processes one item; a failure is retried with backoff or, after the last attempt, given up.</summary>
    protected async Task RunAsync(Lease lease, CancellationToken cancellationToken)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<ShopDb>();
            if (lease.Attempts > options.MaxAttempts)
            {
                // Taken this often without finishing: it probably kills its worker. Stop here.
                await GiveUpLoggedAsync(db, lease, $"gave up after {options.MaxAttempts} attempts that did not finish", null, cancellationToken);
                return;
            }
            await ProcessAsync(db, lease, cancellationToken);
        }
        catch (LeaseLostException ex)
        {
            logger.Debug("{Reason}", ex.Message);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            await FailedAsync(lease, ex, cancellationToken);
        }
    }

    /// <summary>After a failed attempt: a retry with backoff (WARNING), or after the last attempt the end (ERROR).</summary>
    protected async Task FailedAsync(Lease lease, Exception ex, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ShopDb>();
        if (lease.Attempts < options.MaxAttempts)
        {
            var delay = options.RetryDelay(lease.Attempts);
            logger.Warning("{Item} failed on attempt {Attempt}, retrying in {Delay}: {Reason}",
                Describe(lease.Id), lease.Attempts, delay, ex.Message);
            await ReleaseAsync(db, lease, NowMs + (long)delay.TotalMilliseconds, cancellationToken);
        }
        else
        {
            await GiveUpLoggedAsync(db, lease, ex.Message, ex, cancellationToken);
        }
    }

    private async Task GiveUpLoggedAsync(ShopDb db, Lease lease, string error, Exception? exception, CancellationToken cancellationToken)
    {
        // A person has to look at an item the queue could not finish: ERROR is right here.
        logger.Error(exception, "{Item} failed for good after {Attempts} attempts: {Reason}", Describe(lease.Id), lease.Attempts, error);
        try
        {
            await GiveUpAsync(db, lease, error, cancellationToken);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            // The lease runs out and the next claim tries to give up again.
            logger.Error(ex, "{Item} could not be marked as failed: {Reason}", Describe(lease.Id), ex.Message);
        }
    }

    /// <summary>Lets another attempt take the item at <paramref name="notBeforeMs"/> (a retry with backoff).</summary>
    private async Task ReleaseAsync(ShopDb db, Lease lease, long notBeforeMs, CancellationToken cancellationToken)
    {
        try
        {
            await LeaseClaims.ReleaseAsync(db, Table, lease, notBeforeMs, gate, cancellationToken);
        }
        catch (Exception ex) when (ex is DbException or InvalidOperationException or DatabaseBusyException)
        {
            // Not released: the lease runs out on its own and the item is retried a little later.
            logger.Warning("{Item} could not be released for a retry: {Reason}", Describe(lease.Id), ex.Message);
        }
    }
}
