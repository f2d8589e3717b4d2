namespace Shop.Features.Goods;

/// <summary>
/// The fields of a goods that listings filter or sort by (<c>q</c> and <c>sort=name</c> read the
/// name, <c>min_price</c>/<c>max_price</c> and <c>sort=price</c> the price, <c>in_stock</c> and
/// <c>sort=stock</c> the stock, <c>category</c> the category). A write that changes none of them
/// cannot move its goods into, out of or within any listing: only the pages that show the goods change.
/// </summary>
[Flags]
public enum GoodsFields
{
    None = 0,
    Name = 1,
    Price = 2,
    Stock = 4,
    Category = 8,
}
