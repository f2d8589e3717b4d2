using Microsoft.EntityFrameworkCore;
using Shop.Infrastructure.Data;
using Shop.Rest;

namespace Shop.Features.Goods;

/// <summary>
/// <c>shop seed --goods N</c>: demo goods through one prepared statement in one transaction, which
/// is what makes 100,000 rows take about a second instead of the minute that tracked entities take.
/// Existing skus are left alone, so seeding twice adds only what is missing.
/// </summary>
public static class GoodsSeed
{
    private static readonly string[] Categories = ["tea", "coffee", "cups", "books", "toys", "garden", "tools", "music"];
    private static readonly string[] Words = ["Green", "Black", "Smoky", "Large", "Small", "Blue", "Classic", "Ceramic", "Wooden", "Golden"];

    public static async Task<int> SeedAsync(ShopDb db, GoodsChangeLog changes, int count, TimeProvider clock, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await using var insert = await GoodsRowCommand.PrepareAsync(db, "DO NOTHING", UtcTimestampConverter.Now(clock), cancellationToken);
        var added = 0;
        for (var i = 1; i <= count; i++)
        {
            var row = new GoodsRules.Valid(
                Sku: $"SEED-{i:D7}",
                Name: $"{Words[i % Words.Length]} {Categories[i % Categories.Length]} {i}",
                Description: $"Demo goods number {i}.",
                PriceCents: 100 + (i * 7919L % 99_900),
                Stock: i % 13 == 0 ? 0 : i % 500,
                Category: Categories[i % Categories.Length]);
            added += await insert.ExecuteAsync(row, stockGiven: true, cancellationToken) is null ? 0 : 1;
        }
        if (added > 0)
        {
            // One log row for the whole seed: running services retire every goods entry.
            await changes.RecordAnyAsync(db, cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
        return added;
    }
}
