using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Shop.Infrastructure.Data;
using Shop.Tests.Support;

namespace Shop.Tests.Infrastructure;

/// <summary>
/// The SQLite connections of the service's registered contexts (<see cref="SqlitePragmas"/>): their
/// per-connection settings, on the first open and on the next one from the pool, and the SQL
/// functions they leave out.
/// </summary>
public sealed class SqliteConnectionTests
{
    [Fact]
    public async Task EveryOpenConnectionSyncsNormallyWaitsForLocksAndKeepsASmallPageCache()
    {
        using var folder = new TempFolder();
        await using var services = new ServiceCollection().AddShopData(new DatabaseOptions(folder.File("shop.db"))).BuildServiceProvider();

        for (var open = 0; open < 2; open++)
        {
            await using var scope = services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<ShopDb>();
            await db.Database.OpenConnectionAsync(TestContext.Current.CancellationToken);
            var connection = db.Database.GetDbConnection();

            Assert.Equal(1L, await ScalarAsync(connection, "PRAGMA synchronous"));
            Assert.Equal((long)SqlitePragmas.BusyTimeoutMilliseconds, await ScalarAsync(connection, "PRAGMA busy_timeout"));
            Assert.Equal(-512L, await ScalarAsync(connection, "PRAGMA cache_size"));
        }
    }

    [Theory]
    [InlineData("SELECT regexp('a', 'a')")]
    [InlineData("SELECT ef_add(1, 2)")]
    [InlineData("SELECT ef_sum(1)")]
    public async Task AConnectionHasNoneOfTheSqlFunctionsEfWouldRegisterAtEveryOpen(string sql)
    {
        using var folder = new TempFolder();
        await using var services = new ServiceCollection().AddShopData(new DatabaseOptions(folder.File("shop.db"))).BuildServiceProvider();
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ShopDb>();
        await db.Database.OpenConnectionAsync(TestContext.Current.CancellationToken);

        var error = await Assert.ThrowsAsync<SqliteException>(() => ScalarAsync(db.Database.GetDbConnection(), sql));

        Assert.Contains("no such function", error.Message);
    }

    private static async Task<object?> ScalarAsync(System.Data.Common.DbConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync(TestContext.Current.CancellationToken);
    }
}
