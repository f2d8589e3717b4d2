using Microsoft.EntityFrameworkCore;
using Shop.Features.Goods;
using Shop.Infrastructure.Data;

namespace Shop.Features.Orders;

/// <summary>
/// Cancelling: a pending order just stops (the worker's own update requires it to be pending, so
/// it can no longer reserve); a confirmed one gives its stock back in the same transaction as the
/// status change, so stock is returned exactly once however often cancel is called.
/// </summary>
internal static class OrderCancellation
{
    /// <summary>False when the order is already rejected or cancelled.</summary>
    public static async Task<bool> CancelAsync(
        ShopDb db, WriteGate gate, GoodsChangeLog goodsChanges, Order order, DateTime now, CancellationToken cancellationToken)
    {
        await using var transaction = await gate.BeginAsync(db, cancellationToken);
        var stock = new GoodsStock(db, goodsChanges);
        foreach (var from in (string[])[OrderStatus.Pending, OrderStatus.Confirmed])
        {
            var changed = await db.Set<Order>().Where(o => o.Id == order.Id && o.Status == from)
                .ExecuteUpdateAsync(s => s.SetProperty(o => o.Status, OrderStatus.Cancelled).SetProperty(o => o.UpdatedAt, now)
                    .SetProperty(o => o.ClaimedBy, (string?)null).SetProperty(o => o.LeaseUntil, (long?)null), cancellationToken);
            if (changed == 0)
            {
                continue;
            }
            if (from == OrderStatus.Confirmed)
            {
                foreach (var line in order.Lines)
                {
                    await stock.GiveBackAsync(line.GoodsId, line.Quantity, now, cancellationToken);
                }
                await stock.RecordAsync(cancellationToken);
            }
            await transaction.CommitAsync(cancellationToken);
            stock.Committed();
            return true;
        }
        return false;
    }
}
