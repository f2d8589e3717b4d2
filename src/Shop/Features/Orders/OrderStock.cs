using Microsoft.EntityFrameworkCore;
using Shop.Features.Goods;
using Shop.Infrastructure.Data;

namespace Shop.Features.Orders;

/// <summary>
/// The only writes orders make to goods: conditional updates, never read-then-write, each bumping
/// the goods version so that its ETag changes with its stock.
/// </summary>
internal static class OrderStock
{
    /// <summary>Takes <paramref name="quantity"/> units if there are that many; false (and nothing changed) otherwise.</summary>
    public static async Task<bool> TryTakeAsync(ShopDb db, long goodsId, int quantity, DateTime now, CancellationToken cancellationToken) =>
        await db.Set<Goods.Goods>().Where(g => g.Id == goodsId && g.Stock >= quantity)
            .ExecuteUpdateAsync(s => s.SetProperty(g => g.Stock, g => g.Stock - quantity)
                .SetProperty(g => g.Version, g => g.Version + 1).SetProperty(g => g.UpdatedAt, now), cancellationToken) == 1;

    /// <summary>Gives back what a cancelled order took. A goods deleted since has nothing to give back to.</summary>
    public static Task GiveBackAsync(ShopDb db, long goodsId, int quantity, DateTime now, CancellationToken cancellationToken) =>
        db.Set<Goods.Goods>().Where(g => g.Id == goodsId)
            .ExecuteUpdateAsync(s => s.SetProperty(g => g.Stock, g => g.Stock + quantity)
                .SetProperty(g => g.Version, g => g.Version + 1).SetProperty(g => g.UpdatedAt, now), cancellationToken);
}
