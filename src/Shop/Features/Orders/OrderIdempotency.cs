using Microsoft.EntityFrameworkCore;
using Shop.Infrastructure.Data;
using Shop.Rest;

namespace Shop.Features.Orders;

/// <summary>Building a new order, and finding the one an Idempotency-Key already placed.</summary>
internal static class OrderIdempotency
{
    /// <summary>
    /// The order this user placed with this key, or null. The same key with other items is the
    /// client's mistake (422), never a second order.
    /// </summary>
    public static async Task<Order?> FindAsync(ShopDb db, long userId, string key, string hash, CancellationToken cancellationToken)
    {
        var order = await db.Set<Order>().Include(o => o.Lines)
            .FirstOrDefaultAsync(o => o.UserId == userId && o.IdempotencyKey == key, cancellationToken);
        return order is null || order.RequestHash == hash
            ? order
            : throw new ApiProblem(422, $"{OrdersRules.IdempotencyHeader} '{key}' was already used with a different request body");
    }

    /// <summary>A pending order for the items; every goods must exist (400 naming the lines that do not).</summary>
    public static async Task<Order> NewOrderAsync(
        ShopDb db, HttpContext context, IReadOnlyList<OrdersRules.Item> items, DateTime now, CancellationToken cancellationToken)
    {
        var ids = items.Select(i => i.GoodsId).Distinct().ToList();
        var goods = await db.Set<Goods.Goods>().Where(g => ids.Contains(g.Id))
            .ToDictionaryAsync(g => g.Id, g => (g.Sku, g.Name), cancellationToken);
        var v = new Validation();
        for (var i = 0; i < items.Count; i++)
        {
            if (!goods.ContainsKey(items[i].GoodsId))
            {
                v.Add($"items[{i}].goods_id", $"no goods with id {items[i].GoodsId}");
            }
        }
        v.ThrowIfInvalid();
        return new Order
        {
            UserId = context.User.GetUserId(),
            UserName = Policies.NameOf(context),
            Status = OrderStatus.Pending,
            CreatedAt = now,
            UpdatedAt = now,
            Lines = items.Select(i => new OrderLine
            {
                GoodsId = i.GoodsId, Sku = goods[i.GoodsId].Sku, Name = goods[i.GoodsId].Name, Quantity = i.Quantity,
            }).ToList(),
        };
    }
}
