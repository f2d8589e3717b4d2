using System.Collections.Concurrent;

namespace Shop.Features.Goods;

/// <summary>
/// The goods change log's rows as the listing pages need them: the last change of each goods, and
/// of each listed field (<see cref="GoodsFields"/>), that this process has caught up with. A page
/// loaded at a stamp is unchanged while no goods it shows changed after it, and no field its
/// filters or sort read changed after it for any goods: then no goods can have moved into, out of
/// or within it, and its total is the same. Creations and deletions are not kept here; they retire
/// every page (<see cref="Infrastructure.Cache.ReadCache{TValue}.RetireAll"/>).
/// </summary>
/// <remarks>
/// One writer (the catch-up, which holds the cache's lock), any number of readers. Beyond
/// <see cref="MaxGoods"/> goods the caller retires every page and <see cref="Clear"/>s.
/// </remarks>
internal sealed class ListingChanges
{
    public const int MaxGoods = 100_000;

    private readonly ConcurrentDictionary<long, long> _goods = new();
    private readonly long[] _fields = new long[4];
    private long _last;

    public int Count => _goods.Count;

    /// <summary>Records that log row <paramref name="sequence"/> changed <paramref name="fields"/> of goods <paramref name="goodsId"/>.</summary>
    public void Changed(long goodsId, GoodsFields fields, long sequence)
    {
        _goods[goodsId] = sequence;
        for (var bit = 0; bit < _fields.Length; bit++)
        {
            if (((int)fields & (1 << bit)) != 0)
            {
                Volatile.Write(ref _fields[bit], sequence);
            }
        }
        Volatile.Write(ref _last, sequence);
    }

    /// <summary>
    /// True when nothing recorded after <paramref name="stamp"/> changes a page showing
    /// <paramref name="items"/> and listed by <paramref name="listedBy"/> (null: by every field).
    /// </summary>
    public bool Unchanged(long stamp, List<GoodsResponse> items, GoodsFields? listedBy)
    {
        if (Volatile.Read(ref _last) <= stamp)
        {
            return true;
        }
        var fields = (int)(listedBy ?? (GoodsFields)~0);
        for (var bit = 0; bit < _fields.Length; bit++)
        {
            if ((fields & (1 << bit)) != 0 && Volatile.Read(ref _fields[bit]) > stamp)
            {
                return false;
            }
        }
        foreach (var item in items)
        {
            if (_goods.TryGetValue(item.Id, out var changed) && changed > stamp)
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>Forgets every goods; call only after every page stamped before the last change was retired.</summary>
    public void Clear() => _goods.Clear();
}
