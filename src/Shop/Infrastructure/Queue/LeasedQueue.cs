using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Shop.Infrastructure.Data;
using Shop.Infrastructure.Logging;

namespace Shop.Infrastructure.Queue;

/// <summary>One claimed item: its id, and which attempt this is.</summary>
public readonly record struct Lease(long Id, int Attempts, string Worker);

/// <summary>
/// A queue kept in a table (the database-as-queue pattern): a waiting row IS the durable message,
/// written in the same transaction as the answer that accepted it. Workers claim rows with a lease
/// in one conditional UPDATE, so two workers never hold one row, and a row held by a worker that
/// died becomes claimable again when its lease runs out. Processing is at least once; each
/// subclass makes the effect happen once by finishing with an update conditional on still holding
/// the claim, in the same transaction as the effect.
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
        var prefix = Environment.MachineName + "/";
        await db.Database.OpenConnectionAsync(cancellationToken);
        var holders = new List<string>();
        await using (var select = Sql.Command(db,
            $"SELECT DISTINCT ClaimedBy FROM {Table} WHERE {Waiting} AND substr(ClaimedBy, 1, length(@prefix)) = @prefix AND ClaimedBy <> @me",
            ("@prefix", prefix), ("@me", options.WorkerId)))
        await using (var reader = await select.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                holders.Add(reader.GetString(0));
            }
        }
        var freed = 0;
        foreach (var holder in holders.Where(h => !IsRunning(h[prefix.Length..])))
        {
            await using var release = Sql.Command(db,
                $"UPDATE {Table} SET ClaimedBy = NULL, LeaseUntil = NULL WHERE {Waiting} AND ClaimedBy = @holder", ("@holder", holder));
            int taken;
            using (await gate.EnterAsync(cancellationToken))
            {
                taken = await release.ExecuteNonQueryAsync(cancellationToken);
            }
            freed += taken;
            logger.Info("{Count} item(s) of {Queue} held by {Worker}, a process that is gone, taken back", taken, Table, holder);
        }
        return freed;
    }

    /// <summary>Whether the process a worker id names ("pid/…" after the machine name) still runs.</summary>
    private static bool IsRunning(string rest)
    {
        var slash = rest.IndexOf('/');
        if (!int.TryParse(slash < 0 ? rest : rest[..slash], System.Globalization.CultureInfo.InvariantCulture, out var pid))
        {
            return true; // Not an id this code wrote: leave it to its lease.
        }
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false; // No such process.
        }
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
        // One statement, in a write transaction: the choice and the claim cannot be split by
        // another worker. On SQLite the transaction holds the database's one write lock; on
        // PostgreSQL the inner SELECT locks the rows it picks and skips rows another instance's
        // claim has locked, so concurrent claims take disjoint batches instead of waiting in turn.
        var now = NowMs;
        var skipLocked = db.Database.IsNpgsql() ? "FOR UPDATE SKIP LOCKED" : "";
        await using var transaction = await gate.BeginAsync(db, cancellationToken);
        await using var claim = Sql.Command(db, $"""
            UPDATE {Table} SET ClaimedBy = @worker, LeaseUntil = @until, Attempts = Attempts + 1
            WHERE Id IN (SELECT Id FROM {Table} WHERE {Waiting} AND (LeaseUntil IS NULL OR LeaseUntil <= @now) ORDER BY Id LIMIT @batch {skipLocked})
            RETURNING Id, Attempts
            """, ("@worker", options.WorkerId), ("@until", now + (long)options.Lease.TotalMilliseconds), ("@now", now), ("@batch", options.ClaimBatch));
        var leases = new List<Lease>();
        await using (var reader = await claim.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                leases.Add(new Lease(reader.GetInt64(0), reader.GetInt32(1), options.WorkerId));
            }
        }
        // Counted here, in the background, because the metrics scrape must not query. Items a
        // worker holds are not waiting any more: counting them left the depth at 1 after the last
        // order was confirmed, until the next claim.
        await using var count = Sql.Command(db, $"SELECT COUNT(*) FROM {Table} WHERE {Waiting} AND ClaimedBy IS NULL");
        Interlocked.Exchange(ref _depth, Convert.ToInt64(await count.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture));
        await transaction.CommitAsync(cancellationToken);
        leases.Sort((a, b) => a.Id.CompareTo(b.Id));
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
            await using var release = Sql.Command(db,
                $"UPDATE {Table} SET ClaimedBy = NULL, LeaseUntil = @until WHERE Id = @id AND ClaimedBy = @worker",
                ("@until", notBeforeMs), ("@id", lease.Id), ("@worker", lease.Worker));
            await db.Database.OpenConnectionAsync(cancellationToken);
            using (await gate.EnterAsync(cancellationToken))
            {
                await release.ExecuteNonQueryAsync(cancellationToken);
            }
        }
        catch (Exception ex) when (ex is DbException or InvalidOperationException or DatabaseBusyException)
        {
            // Not released: the lease runs out on its own and the item is retried a little later.
            logger.Warning("{Item} could not be released for a retry: {Reason}", Describe(lease.Id), ex.Message);
        }
    }
}
