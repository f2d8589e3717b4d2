using Microsoft.EntityFrameworkCore;
using Shop.Infrastructure.Data;
using Shop.Rest;

namespace Shop.Features.Goods;

/// <summary>The goods reads: the hot lookup by id, and the collection filters.</summary>
internal static class GoodsQueries
{
    /// <summary>Compiled once: the read path skips LINQ translation on every request.</summary>
    public static readonly Func<ShopDb, long, CancellationToken, Task<GoodsItem?>> ById =
        CompiledPerContext.Of(() => EF.CompileAsyncQuery((ShopDb db, long id, CancellationToken _) => db.Set<GoodsItem>().FirstOrDefault(g => g.Id == id)));

    /// <summary>The goods of <paramref name="criteria"/>.</summary>
    public static IQueryable<GoodsItem> Filter(ShopDb db, GoodsCriteria criteria)
    {
        var goods = criteria.Folded is { } folded ? GoodsSearch.Matching(db, folded) : db.Set<GoodsItem>();
        if (criteria.Category is { } category)
        {
            goods = goods.Where(g => g.Category == category);
        }
        if (criteria.MinCents is { } low)
        {
            goods = goods.Where(g => g.PriceCents >= low);
        }
        if (criteria.MaxCents is { } high)
        {
            goods = goods.Where(g => g.PriceCents <= high);
        }
        return criteria.InStock switch
        {
            null => goods,
            true => goods.Where(g => g.Stock > 0),
            false => goods.Where(g => g.Stock == 0),
        };
    }

    /// <summary>How many goods <paramref name="goods"/> (the goods of <paramref name="filter"/>) holds, by the cheapest way the filter allows.</summary>
    public static async Task<int> CountAsync(ShopDb db, GoodsCriteria criteria, IQueryable<GoodsItem> goods, CancellationToken cancellationToken) =>
        criteria is { Folded: { } folded, Category: null, MinCents: null, MaxCents: null, InStock: null }
            && await GoodsSearch.CountOnlyAsync(db, folded, cancellationToken) is { } matches
            ? matches
            : await goods.CountAsync(cancellationToken);
}
