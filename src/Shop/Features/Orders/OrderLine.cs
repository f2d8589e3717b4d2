namespace Shop.Features.Orders;

/// <summary>One line of an order; sku and name are kept as they were when it was placed.</summary>
public sealed class OrderLine
{
    public long Id { get; set; }
    public long OrderId { get; set; }
    public long GoodsId { get; set; }
    public required string Sku { get; set; }
    public required string Name { get; set; }
    public int Quantity { get; set; }

    /// <summary>Fixed when the order is confirmed; null before.</summary>
    public long? UnitPriceCents { get; set; }
}
