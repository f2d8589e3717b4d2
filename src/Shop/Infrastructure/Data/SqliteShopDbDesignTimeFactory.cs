using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Shop.Infrastructure.Data;

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
