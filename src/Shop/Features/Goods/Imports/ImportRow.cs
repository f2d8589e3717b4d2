namespace Shop.Features.Goods.Imports;

/// <summary>One row of an import: valid goods, or the error that fails this row only.</summary>
/// <param name="Line">The physical line of a CSV row (the header is line 1), or the 1-based index in a JSON array.</param>
/// <param name="StockGiven">False when the row leaves stock out: an update then keeps the stock it had.</param>
public sealed record ImportRow(int Line, GoodsRules.Valid? Goods, bool StockGiven, string? Error);
