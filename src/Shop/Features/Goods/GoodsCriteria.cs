using Shop.Rest;

namespace Shop.Features.Goods;

/// <summary>
/// The filters of <see cref="GoodsFilter"/>, checked: a bad value is a 400 naming it before any
/// query is built or any cache is asked, so the answer is the same whether the page is cached.
/// </summary>
/// <param name="Folded">The <c>q</c> substring, case- and accent-folded as names are (<see cref="GoodsItem.Fold"/>); null: no search.</param>
internal sealed record GoodsCriteria(string? Folded, string? Category, long? MinCents, long? MaxCents, bool? InStock)
{
    public static GoodsCriteria From(GoodsFilter filter)
    {
        var min = Cents(filter.MinPrice, "min_price");
        var max = Cents(filter.MaxPrice, "max_price");
        if (min > max)
        {
            throw ApiProblem.Validation("min_price", "must not be greater than max_price");
        }
        bool? inStock = filter.InStock?.ToLowerInvariant() switch
        {
            null => null,
            "true" => true,
            "false" => false,
            _ => throw ApiProblem.Validation("in_stock", "must be true or false"),
        };
        return new GoodsCriteria(string.IsNullOrEmpty(filter.Q) ? null : GoodsItem.Fold(filter.Q), filter.Category, min, max, inStock);
    }

    /// <summary>The listed fields that a listing of these filters in the order of <paramref name="sort"/> (already checked) reads.</summary>
    public GoodsFields ListedBy(string? sort)
    {
        var fields = (Folded is null ? GoodsFields.None : GoodsFields.Name)
            | (Category is null ? GoodsFields.None : GoodsFields.Category)
            | (MinCents is null && MaxCents is null ? GoodsFields.None : GoodsFields.Price)
            | (InStock is null ? GoodsFields.None : GoodsFields.Stock);
        foreach (var key in FieldList.Split("sort", sort))
        {
            fields |= key.TrimStart('-') switch
            {
                "name" => GoodsFields.Name,
                "price" => GoodsFields.Price,
                "stock" => GoodsFields.Stock,
                _ => GoodsFields.None,
            };
        }
        return fields;
    }

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
