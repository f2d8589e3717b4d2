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
    /// <summary>
    /// Takes <paramref name="quantity"/> units if there are that many and returns the unit price at
    /// that moment, read by the same statement; null (and nothing changed) otherwise. Plain SQL
    /// because EF's ExecuteUpdate cannot return a column.
    /// </summary>
    public static async Task<long?> TryTakeAsync(ShopDb db, long goodsId, int quantity, DateTime now, CancellationToken cancellationToken)
    {
        await using var take = Sql.Command(db, """
            UPDATE goods SET Stock = Stock - @quantity, Version = Version + 1, UpdatedAt = @now
            WHERE Id = @id AND Stock >= @quantity
            RETURNING PriceCents
            """, ("@quantity", quantity), ("@now", now), ("@id", goodsId));
        return await take.ExecuteScalarAsync(cancellationToken) is long price ? price : null;
    }

    /// <summary>Gives back what a cancelled order took. A goods deleted since has nothing to give back to.</summary>
    public static Task GiveBackAsync(ShopDb db, long goodsId, int quantity, DateTime now, CancellationToken cancellationToken) =>
        db.Set<Goods.Goods>().Where(g => g.Id == goodsId)
            .ExecuteUpdateAsync(s => s.SetProperty(g => g.Stock, g => g.Stock + quantity)
                .SetProperty(g => g.Version, g => g.Version + 1).SetProperty(g => g.UpdatedAt, now), cancellationToken);
}
