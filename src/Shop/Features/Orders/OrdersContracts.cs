using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Mvc;
using Shop.Rest;

namespace Shop.Features.Orders;

/// <summary>The body of <c>POST /api/v1/orders</c>.</summary>
public sealed record OrderCreate(IReadOnlyList<OrderItemInput>? Items);

public sealed record OrderItemInput(long? GoodsId, long? Quantity);

/// <summary>The body of <c>PATCH /api/v1/orders/{id}</c>: only <c>{"status": "cancelled"}</c> changes anything.</summary>
public sealed record OrderPatch(string? Status);

public sealed record OrderItemResponse(long GoodsId, string Sku, string Name, int Quantity, decimal? UnitPrice);

/// <summary>An order as the API shows it; <c>unit_price</c> and <c>total</c> are null until it is confirmed.</summary>
public sealed record OrderResponse(
    long Id, long UserId, string Status, IReadOnlyList<OrderItemResponse> Items, decimal? Total, string? Reason,
    DateTime CreatedAt, DateTime UpdatedAt)
{
    public static OrderResponse From(Order o) => new(
        o.Id, o.UserId, o.Status,
        o.Lines.OrderBy(l => l.Id).Select(l => new OrderItemResponse(l.GoodsId, l.Sku, l.Name, l.Quantity, l.UnitPriceCents / 100m)).ToList(),
        o.TotalCents / 100m, o.Reason, o.CreatedAt, o.UpdatedAt);
}

/// <summary>The filters of <c>GET /api/v1/orders</c>, bound as strings to answer bad values with a 400 naming them.</summary>
public sealed record OrderFilter([FromQuery(Name = "user_id")] string? UserId, string? Status);

[JsonSerializable(typeof(OrderCreate))]
[JsonSerializable(typeof(OrderPatch))]
[JsonSerializable(typeof(OrderResponse))]
[JsonSerializable(typeof(Page<OrderResponse>))]
public sealed partial class OrdersJson : JsonSerializerContext
{
    /// <summary>The order records in the wire format (<see cref="WireJson"/>).</summary>
    public static OrdersJson Wire { get; } = new(WireJson.Options());
}
