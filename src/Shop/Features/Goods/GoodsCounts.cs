using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Shop.Infrastructure.Data;

namespace Shop.Features.Goods;

/// <summary>
/// The <c>total</c> of a listing (<c>X-Total-Count</c>), kept per filter while no write changed which
/// goods a filter can match. On SQLite triggers (migration <c>GoodsSearch</c>) bump
/// <c>goods_membership.Version</c> in the writing transaction whenever a goods is added or deleted
/// or its folded name, category, price or being in stock changes, and a count is used only at the
/// version it was counted at: a price change or an order that empties a goods recounts, a new
/// description or an order that leaves stock does not. Elsewhere every uncached page counts.
/// </summary>
/// <remarks>
/// The version is read before the count, so a count is never older than its version: a write
/// committed in between makes it newer, and the next reader sees the new version and counts again.
/// </remarks>
public sealed class GoodsCounts
{
    /// <summary>Filters remembered at most; beyond that all are dropped at once (counting again is only slower).</summary>
    private const int MaxKept = 10_000;

    private readonly ConcurrentDictionary<string, (long Version, int Count)> _counts = new(StringComparer.Ordinal);

    /// <summary>The count of the filter named <paramref name="filterKey"/>: kept, or from <paramref name="count"/>.</summary>
    public async Task<int> CountAsync(ShopDb db, string filterKey, Func<CancellationToken, Task<int>> count, CancellationToken cancellationToken)
    {
        if (!db.Database.IsSqlite())
        {
            return await count(cancellationToken);
        }
        var version = await db.Database.SqlQueryRaw<long>("SELECT Version AS Value FROM goods_membership").SingleAsync(cancellationToken);
        if (_counts.TryGetValue(filterKey, out var known) && known.Version == version)
        {
            return known.Count;
        }
        var counted = await count(cancellationToken);
        if (_counts.Count >= MaxKept)
        {
            _counts.Clear();
        }
        _counts[filterKey] = (version, counted);
        return counted;
    }
}
