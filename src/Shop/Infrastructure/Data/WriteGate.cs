using Microsoft.EntityFrameworkCore;

namespace Shop.Infrastructure.Data;

/// <summary>
/// Lets one write transaction of this process at a time reach SQLite, which allows one writer
/// anyway. Without it, concurrent writers collide inside SQLite and the loser sleeps in
/// Microsoft.Data.Sqlite's busy retry (up to 150 ms at a time), which cut order acceptance to tens
/// per second under load; queued here, the next writer starts microseconds after the last commit.
/// Other processes on the same file still meet SQLite's own locking.
/// <para>
/// On PostgreSQL the gate is open: writers run concurrently, and row locks and conditional updates
/// hold the invariants there.
/// </para>
/// </summary>
public sealed class WriteGate(DatabaseOptions database)
{
    private readonly SemaphoreSlim? _gate = database.OnPostgres ? null : new(1, 1);

    /// <summary>
    /// How long a writer waits for the gate: as long as SQLite's busy wait, so that writers queued
    /// behind one stuck on another process's lock fail in bounded time too, instead of each adding its own wait.
    /// </summary>
    public static readonly TimeSpan MaxWait = TimeSpan.FromMilliseconds(SqlitePragmas.BusyTimeoutMilliseconds);

    /// <summary>Waits for the gate (at most <see cref="MaxWait"/>, then <see cref="DatabaseBusyException"/>); dispose the result to leave it.</summary>
    public async Task<IDisposable> EnterAsync(CancellationToken cancellationToken) =>
        _gate is null ? Open.Instance : (await SemaphoreTurn.TryEnterAsync(_gate, MaxWait, cancellationToken) ?? throw new DatabaseBusyException());

    private sealed class Open : IDisposable
    {
        public static readonly Open Instance = new();

        public void Dispose()
        {
        }
    }

    /// <summary>Begins a write transaction inside the gate; disposing it rolls back what was not committed and leaves the gate.</summary>
    public async Task<GatedTransaction> BeginAsync(ShopDb db, CancellationToken cancellationToken)
    {
        var entered = await EnterAsync(cancellationToken);
        try
        {
            return new GatedTransaction(await db.Database.BeginTransactionAsync(cancellationToken), entered);
        }
        catch
        {
            entered.Dispose();
            throw;
        }
    }
}
