using System.Text.RegularExpressions;
using Shop.Rest;

namespace Shop.Features.Goods;

/// <summary>The contract's rules for goods fields, applied to POST, PUT and merged PATCH bodies alike.</summary>
public static partial class GoodsRules
{
    public const int SkuMax = 64;
    public const int NameMax = 200;
    public const int DescriptionMax = 4000;
    public const int CategoryMax = 100;
    public const decimal PriceMax = 1_000_000m;

    /// <summary>
    /// The largest stock a write may set: 2^53 − 1, the largest integer every JSON client reads
    /// exactly. Stored as 64 bits, so stock given back by cancellations on top never overflows.
    /// </summary>
    public const long MaxStock = 9_007_199_254_740_991;

    /// <summary>Validated writable fields.</summary>
    public sealed record Valid(string Sku, string Name, string Description, long PriceCents, long Stock, string Category)
    {
        public void ApplyTo(GoodsItem goods)
        {
            goods.Sku = Sku;
            goods.Name = Name;
            goods.Description = Description;
            goods.PriceCents = PriceCents;
            goods.Stock = Stock;
            goods.Category = Category;
        }
    }

    public static Valid Validate(GoodsWrite input)
    {
        var v = new Validation();
        var sku = v.Text("sku", input.Sku, 1, SkuMax, required: true, SkuPattern(), "must be 1 to 64 of A-Z a-z 0-9 - _");
        var name = v.Text("name", input.Name, 1, NameMax, required: true);
        var description = v.Text("description", input.Description, 0, DescriptionMax);
        var price = v.Money("price", input.Price, 0, PriceMax, required: true);
        var stock = v.Integer("stock", input.Stock, 0, MaxStock);
        var category = v.Text("category", input.Category, 0, CategoryMax);
        v.ThrowIfInvalid();
        return new Valid(sku!, name!, description ?? "", price!.Value, stock ?? 0, category ?? "");
    }

    /// <summary>The current writable state, the target a merge patch applies to.</summary>
    public static GoodsWrite ToWrite(GoodsItem g) =>
        new(g.Sku, g.Name, g.Description, g.PriceCents / 100m, g.Stock, g.Category);

    [GeneratedRegex(@"^[A-Za-z0-9_-]+\z")]
    private static partial Regex SkuPattern();
}
