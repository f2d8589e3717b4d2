using Microsoft.EntityFrameworkCore;
using Shop.Infrastructure.Data;
using Shop.Infrastructure.Metrics;

namespace Shop.Features.Goods;

/// <summary>
/// The writing side of the goods change log: every writer of goods rows (the goods API, imports,
/// the seed, <see cref="GoodsStock"/>) appends the ids it wrote in its own transaction, so that the
/// log and the rows commit together, after its own row writes (so its locks are always taken in the
/// same order: rows, then the log), and tells this process once committed.
/// </summary>
public sealed class GoodsChangeLog(GoodsCache cache, ShopMetrics metrics)
{
    /// <summary>
    /// Writes log rows for <paramref name="goodsIds"/> in the context's current transaction, saying
    /// which listed <paramref name="fields"/> changed (null: the goods were created or deleted, or it is not known).
    /// </summary>
    public async Task RecordAsync(ShopDb db, IReadOnlyCollection<long> goodsIds, GoodsFields? fields, CancellationToken cancellationToken)
    {
        if (goodsIds.Count > 0)
        {
            await InCommitOrderAsync(db, cancellationToken);
            db.AddRange(goodsIds.Select(id => new GoodsChange { GoodsId = id, Fields = fields }));
            await db.SaveChangesAsync(cancellationToken);
        }
    }

    /// <summary>Writes the row that retires every goods (a bulk write that does not list its ids).</summary>
    public async Task RecordAnyAsync(ShopDb db, CancellationToken cancellationToken)
    {
        await InCommitOrderAsync(db, cancellationToken);
        db.Add(new GoodsChange { GoodsId = null });
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>
    /// Readers take the log rows after the last id they saw, so ids must become visible in the order
    /// they are handed out. SQLite has one writer at a time. On PostgreSQL a sequence hands out ids
    /// before commit, so a writer takes a transaction lock first: the next writer's ids then come
    /// after this commit (a commit is visible before its locks are released). Taken at the end of
    /// the transaction, after its row locks, it is held only for the append and the commit.
    /// </summary>
    public static async Task InCommitOrderAsync(ShopDb db, CancellationToken cancellationToken)
    {
        if (!db.Database.IsSqlite())
        {
            await db.Database.ExecuteSqlRawAsync("SELECT pg_advisory_xact_lock(4242001)", cancellationToken);
        }
    }

    /// <summary>After the commit: retires the goods in every instance's memory and Redis at once (<see cref="GoodsCache.Written"/>).</summary>
    public void Committed(IReadOnlyCollection<long> goodsIds)
    {
        cache.Written(goodsIds);
        metrics.CacheInvalidationsSent("goods", goodsIds.Count);
    }
}
