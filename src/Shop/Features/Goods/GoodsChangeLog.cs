using Shop.Infrastructure.Data;
using Shop.Infrastructure.Metrics;

namespace Shop.Features.Goods;

/// <summary>
/// The writing side of the goods change log: every writer of goods rows (the goods API, imports,
/// the seed, <see cref="GoodsStock"/>) appends the ids it wrote in its own transaction, so that the
/// log and the rows commit together, and tells this process once committed.
/// </summary>
public sealed class GoodsChangeLog(ShopMetrics metrics)
{
    /// <summary>Adds log rows to the context: the next <c>SaveChanges</c> writes them with what else it saves.</summary>
    public void Stage(ShopDb db, IEnumerable<long> goodsIds) =>
        db.AddRange(goodsIds.Select(id => new GoodsChange { GoodsId = id }));

    /// <summary>Writes log rows for <paramref name="goodsIds"/> in the context's current transaction.</summary>
    public async Task RecordAsync(ShopDb db, IReadOnlyCollection<long> goodsIds, CancellationToken cancellationToken)
    {
        if (goodsIds.Count > 0)
        {
            Stage(db, goodsIds);
            await db.SaveChangesAsync(cancellationToken);
        }
    }

    /// <summary>Writes the row that retires every goods (a bulk write that does not list its ids).</summary>
    public async Task RecordAnyAsync(ShopDb db, CancellationToken cancellationToken)
    {
        db.Add(new GoodsChange { GoodsId = null });
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>After the commit: counts what this process retired.</summary>
    public void Committed(IReadOnlyCollection<long> goodsIds) =>
        metrics.CacheInvalidationsSent("goods", goodsIds.Count);
}
