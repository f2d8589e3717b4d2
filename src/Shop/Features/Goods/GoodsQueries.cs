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

    public static IQueryable<GoodsItem> Filter(ShopDb db, GoodsFilter filter)
    {
        var goods = string.IsNullOrEmpty(filter.Q) ? db.Set<GoodsItem>() : GoodsSearch.Matching(db, GoodsItem.Fold(filter.Q));
        if (filter.Category is { } category)
        {
            goods = goods.Where(g => g.Category == category);
        }
        var min = Cents(filter.MinPrice, "min_price");
        var max = Cents(filter.MaxPrice, "max_price");
        if (min > max)
        {
            throw ApiProblem.Validation("min_price", "must not be greater than max_price");
        }
        if (min is { } low)
        {
            goods = goods.Where(g => g.PriceCents >= low);
        }
        if (max is { } high)
        {
            goods = goods.Where(g => g.PriceCents <= high);
        }
        return filter.InStock?.ToLowerInvariant() switch
        {
            null => goods,
            "true" => goods.Where(g => g.Stock > 0),
            "false" => goods.Where(g => g.Stock == 0),
            _ => throw ApiProblem.Validation("in_stock", "must be true or false"),
        };
    }

    /// <summary>How many goods <paramref name="goods"/> (the goods of <paramref name="filter"/>) holds, by the cheapest way the filter allows.</summary>
    public static async Task<int> CountAsync(ShopDb db, GoodsFilter filter, IQueryable<GoodsItem> goods, CancellationToken cancellationToken) =>
        filter is { Q.Length: > 0, Category: null, MinPrice: null, MaxPrice: null, InStock: null }
            && await GoodsSearch.CountOnlyAsync(db, GoodsItem.Fold(filter.Q), cancellationToken) is { } matches
            ? matches
            : await goods.CountAsync(cancellationToken);

    /// <summary>
    /// A price bound in cents. Like a price in a body it is read exactly and never rounded: a bound
    /// with more than 2 decimals is a 400, not a bound moved to the next cent.
    /// </summary>
    private static long? Cents(string? text, string name)
    {
        if (text is null)
        {
            return null;
        }
        var range = $"must be a number from 0 to {GoodsRules.PriceMax}";
        if (!Money.TryParse(text, out var amount, out var error))
        {
            throw ApiProblem.Validation(name, error == Money.TooManyDecimals ? error : range);
        }
        return amount >= 0 && amount <= GoodsRules.PriceMax ? Money.ToCents(amount) : throw ApiProblem.Validation(name, range);
    }
}
