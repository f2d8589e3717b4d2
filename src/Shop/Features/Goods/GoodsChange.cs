namespace Shop.Features.Goods;

/// <summary>
/// One row of the goods change log: a goods that a committed transaction wrote (created, changed,
/// stock taken or given back, deleted), appended by the goods module in that same transaction. The
/// read caches of every process read the log to retire exactly the entries of that goods (and the
/// listing pages); see <see cref="GoodsCache"/>. A null <see cref="GoodsId"/> means any goods (a seed).
/// </summary>
public sealed class GoodsChange
{
    /// <summary>The log's sequence: it grows with every row and is the stamp of cached entries.</summary>
    public long Id { get; set; }

    public long? GoodsId { get; set; }
}
