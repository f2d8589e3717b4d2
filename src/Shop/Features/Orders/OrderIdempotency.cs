using Microsoft.EntityFrameworkCore;
using Shop.Features.Goods;
using Shop.Infrastructure.Auth;
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

    /// <summary>
    /// The goods an order line names, compiled once because every order runs it. One lookup per
    /// distinct goods: most orders have one line, and an embedded SQLite answers a primary-key
    /// lookup in microseconds, so this beats one query with a list parameter.
    /// </summary>
    private static readonly Func<ShopDb, long, CancellationToken, Task<GoodsName?>> FindGoods =
        CompiledPerContext.Of(() => EF.CompileAsyncQuery((ShopDb db, long id, CancellationToken _) =>
            db.Set<GoodsItem>().Where(g => g.Id == id).Select(g => new GoodsName(g.Sku, g.Name)).FirstOrDefault()));

    private sealed record GoodsName(string Sku, string Name);

    /// <summary>A pending order for the items; every goods must exist (400 naming the lines that do not).</summary>
    public static async Task<Order> NewOrderAsync(
        ShopDb db, HttpContext context, IReadOnlyList<OrdersRules.Item> items, DateTime now, CancellationToken cancellationToken)
    {
        var goods = new Dictionary<long, GoodsName>();
        foreach (var id in items.Select(i => i.GoodsId).Distinct())
        {
            if (await FindGoods(db, id, cancellationToken) is { } found)
            {
                goods[id] = found;
            }
        }
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
