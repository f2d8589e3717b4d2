using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Shop.Infrastructure.Data;

/// <summary>The context on a SQLite file; its migrations are in <c>Migrations/Sqlite</c>.</summary>
public sealed class SqliteShopDb(DbContextOptions<SqliteShopDb> options) : ShopDb(options);

/// <summary>Lets <c>dotnet ef</c> build the SQLite context without starting the service.</summary>
internal sealed class SqliteShopDbDesignTimeFactory : IDesignTimeDbContextFactory<SqliteShopDb>
{
    public SqliteShopDb CreateDbContext(string[] args)
    {
        var options = new DbContextOptionsBuilder<SqliteShopDb>();
        DataServices.ConfigureSqlite(options, "Data Source=design.db");
        return new SqliteShopDb(options.Options);
    }
}
