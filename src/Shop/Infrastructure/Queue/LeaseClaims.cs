using Microsoft.EntityFrameworkCore;
using Shop.Infrastructure.Data;

namespace Shop.Infrastructure.Queue;

/// <summary>
/// The statements on a queue table's lease columns (<see cref="ILeased"/>): claiming a batch of
/// waiting rows for this worker, and handing one back for a retry.
/// </summary>
internal static class LeaseClaims
{
    /// <summary>
    /// Claims up to <see cref="QueueOptions.ClaimBatch"/> rows of <paramref name="table"/> that are
    /// <paramref name="waiting"/> and not leased, in id order; also counts the rows left waiting.
    /// </summary>
    public static async Task<(List<Lease> Leases, long Depth)> ClaimAsync(
        ShopDb db, string table, string waiting, QueueOptions options, WriteGate gate, long nowMs, CancellationToken cancellationToken)
    {
        // One statement, in a write transaction: the choice and the claim cannot be split by
        // another worker. On SQLite the transaction holds the database's one write lock; on
        // PostgreSQL the inner SELECT locks the rows it picks and skips rows another instance's
        // claim has locked, so concurrent claims take disjoint batches instead of waiting in turn.
        var skipLocked = db.Database.IsNpgsql() ? "FOR UPDATE SKIP LOCKED" : "";
        await using var transaction = await gate.BeginAsync(db, cancellationToken);
        await using var claim = Sql.Command(db, $"""
            UPDATE {table} SET ClaimedBy = @worker, LeaseUntil = @until, Attempts = Attempts + 1
            WHERE Id IN (SELECT Id FROM {table} WHERE {waiting} AND (LeaseUntil IS NULL OR LeaseUntil <= @now) ORDER BY Id LIMIT @batch {skipLocked})
            RETURNING Id, Attempts
            """, ("@worker", options.WorkerId), ("@until", nowMs + (long)options.Lease.TotalMilliseconds), ("@now", nowMs), ("@batch", options.ClaimBatch));
        var leases = new List<Lease>();
        await using (var reader = await claim.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                leases.Add(new Lease(reader.GetInt64(0), reader.GetInt32(1), options.WorkerId));
            }
        }
        // Items a worker holds are not waiting any more: counting them would leave the depth at 1
        // after the last order was confirmed, until the next claim.
        await using var count = Sql.Command(db, $"SELECT COUNT(*) FROM {table} WHERE {waiting} AND ClaimedBy IS NULL");
        var depth = Convert.ToInt64(await count.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
        await transaction.CommitAsync(cancellationToken);
        leases.Sort((a, b) => a.Id.CompareTo(b.Id));
        return (leases, depth);
    }

    /// <summary>Lets another attempt take the item at <paramref name="notBeforeMs"/> (a retry with backoff), if this worker still holds it.</summary>
    public static async Task ReleaseAsync(ShopDb db, string table, Lease lease, long notBeforeMs, WriteGate gate, CancellationToken cancellationToken)
    {
        await using var release = Sql.Command(db,
            $"UPDATE {table} SET ClaimedBy = NULL, LeaseUntil = @until WHERE Id = @id AND ClaimedBy = @worker",
            ("@until", notBeforeMs), ("@id", lease.Id), ("@worker", lease.Worker));
        await db.Database.OpenConnectionAsync(cancellationToken);
        using (await gate.EnterAsync(cancellationToken))
        {
            await release.ExecuteNonQueryAsync(cancellationToken);
        }
    }
}
