using Shop.Infrastructure.Data;

namespace Shop.Features.Goods;

/// <summary>
/// The stock changes of one transaction, the only way other modules write goods (orders reserve and
/// give back): conditional updates, never read-then-write, each touching the goods
/// (<see cref="GoodsItem.TouchSql"/>) so its ETag changes with its stock. <see cref="RecordAsync"/>
/// logs the goods written (<see cref="GoodsChangeLog"/>) just before the caller commits.
/// </summary>
public sealed class GoodsStock(ShopDb db, GoodsChangeLog log)
{
    private readonly HashSet<long> _written = [];

    /// <summary>
    /// Takes <paramref name="quantity"/> units if there are that many and returns the unit price at
    /// that moment, read by the same statement; null (and nothing changed) otherwise. Plain SQL
    /// because EF's ExecuteUpdate cannot return a column.
    /// </summary>
    public async Task<long?> TryTakeAsync(long goodsId, int quantity, DateTime now, CancellationToken cancellationToken)
    {
        await using var take = Sql.Command(db, $"""
            UPDATE goods SET Stock = Stock - @quantity, {GoodsItem.TouchSql}
            WHERE Id = @id AND Stock >= @quantity
            RETURNING PriceCents
            """, ("@quantity", quantity), ("@now", now), ("@id", goodsId));
        if (await take.ExecuteScalarAsync(cancellationToken) is long price)
        {
            // Kept even if the caller rolls back to a savepoint: retiring an unchanged goods costs one miss.
            _written.Add(goodsId);
            return price;
        }
        return null;
    }

    /// <summary>Gives back what a cancelled order took. A goods deleted since has nothing to give back to.</summary>
    public async Task GiveBackAsync(long goodsId, int quantity, DateTime now, CancellationToken cancellationToken)
    {
        await using var give = Sql.Command(db, $"UPDATE goods SET Stock = Stock + @quantity, {GoodsItem.TouchSql} WHERE Id = @id",
            ("@quantity", quantity), ("@now", now), ("@id", goodsId));
        if (await give.ExecuteNonQueryAsync(cancellationToken) > 0)
        {
            _written.Add(goodsId);
        }
    }

    /// <summary>Logs the goods written so far; call inside the transaction, just before its commit.</summary>
    public Task RecordAsync(CancellationToken cancellationToken) => log.RecordAsync(db, _written, GoodsFields.Stock, cancellationToken);

    /// <summary>Call after the commit.</summary>
    public void Committed() => log.Committed(_written);
}
