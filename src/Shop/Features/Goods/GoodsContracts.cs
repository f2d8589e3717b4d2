using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Mvc;
using Shop.Rest;

namespace Shop.Features.Goods;

/// <summary>
/// The writable fields, as sent to POST and PUT (and the target a PATCH is merged into). The price
/// is read from the exact number text, so that it is never rounded before the rules see it.
/// </summary>
public sealed record GoodsWrite(
    string? Sku, string? Name, string? Description,
    [property: JsonConverter(typeof(MoneyJsonConverter))] decimal? Price,
    long? Stock, string? Category);

/// <summary>A goods as the API shows it.</summary>
public sealed record GoodsResponse(
    long Id, string Sku, string Name, string Description, decimal Price, long Stock, string Category,
    DateTime CreatedAt, DateTime UpdatedAt)
{
    public static GoodsResponse From(GoodsItem g) =>
        new(g.Id, g.Sku, g.Name, g.Description, g.PriceCents / 100m, g.Stock, g.Category, g.CreatedAt, g.UpdatedAt);
}

/// <summary>The goods filters of <c>GET /api/v1/goods</c>, bound as strings to answer bad values with a 400 naming them.</summary>
public sealed record GoodsFilter(
    [FromQuery(Name = "q")] string? Q,
    [FromQuery(Name = "category")] string? Category,
    [FromQuery(Name = "min_price")] string? MinPrice,
    [FromQuery(Name = "max_price")] string? MaxPrice,
    [FromQuery(Name = "in_stock")] string? InStock);

[JsonSerializable(typeof(GoodsWrite))]
[JsonSerializable(typeof(GoodsResponse))]
[JsonSerializable(typeof(Page<GoodsResponse>))]
public sealed partial class GoodsJson : JsonSerializerContext
{
    /// <summary>The goods records in the wire format (<see cref="WireJson"/>).</summary>
    public static GoodsJson Wire { get; } = new(WireJson.Options());
}
