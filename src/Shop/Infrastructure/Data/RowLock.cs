using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace Shop.Infrastructure.Data;

/// <summary>
/// For a write that reads a row, changes it and saves it with an optimistic check (the goods'
/// version). On SQLite the <see cref="WriteGate"/> already makes this process's writers take turns.
/// On PostgreSQL writers run concurrently, so the row is locked (<c>SELECT ... FOR UPDATE</c>) in a
/// transaction: writers of one row wait for each other instead of failing their check in a loop.
/// </summary>
public static class RowLock
{
    /// <summary>The transaction holding the lock (commit it after the save), or null on SQLite.</summary>
    public static Task<IDbContextTransaction?> TakeAsync(ShopDb db, string table, long id, CancellationToken cancellationToken) =>
        TakeWhereAsync(db, table, "Id", id, cancellationToken);

    /// <summary>Locks every row whose <paramref name="column"/> holds <paramref name="value"/>, for a
    /// check over several rows (the number of admins) that a concurrent writer must not pass too.</summary>
    public static async Task<IDbContextTransaction?> TakeWhereAsync(ShopDb db, string table, string column, object value, CancellationToken cancellationToken)
    {
        if (!db.Database.IsNpgsql())
        {
            return null;
        }
        var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await using var select = Sql.Command(db, $"SELECT 1 FROM {table} WHERE {column} = @value FOR UPDATE", ("@value", value));
        await select.ExecuteNonQueryAsync(cancellationToken);
        return transaction;
    }
}
