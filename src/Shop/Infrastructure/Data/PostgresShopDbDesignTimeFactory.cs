using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Shop.Infrastructure.Data;

/// <summary>Lets <c>dotnet ef</c> build the PostgreSQL context without a server (adding a migration connects to none).</summary>
internal sealed class PostgresShopDbDesignTimeFactory : IDesignTimeDbContextFactory<PostgresShopDb>
{
    public PostgresShopDb CreateDbContext(string[] args)
    {
        var options = new DbContextOptionsBuilder<PostgresShopDb>();
        DataServices.ConfigurePostgres(options, "Host=localhost;Database=shop_design");
        return new PostgresShopDb(options.Options);
    }
}
