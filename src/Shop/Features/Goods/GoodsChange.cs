namespace Shop.Features.Goods;

/// <summary>
/// One row of the goods change log: a goods that a committed transaction wrote (created, changed,
/// stock taken or given back, deleted), appended by the goods module in that same transaction. The
/// read caches of every process read the log to retire exactly the entries of that goods and the
/// listing pages the write can alter; see <see cref="GoodsCache"/>. A null <see cref="GoodsId"/>
/// means any goods (a seed).
/// </summary>
public sealed class GoodsChange
{
    /// <summary>The log's sequence: it grows with every row and is the stamp of cached entries.</summary>
    public long Id { get; set; }

    public long? GoodsId { get; set; }

    /// <summary>
    /// The listed fields the write changed (<see cref="GoodsFields.None"/>: only fields no listing
    /// filters or sorts by). Null when the goods was created or deleted, or the writer does not say
    /// (an import, or a build older than the column): that can change every listing.
    /// </summary>
    public GoodsFields? Fields { get; set; }
}
