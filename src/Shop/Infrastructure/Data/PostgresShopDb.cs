using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Shop.Infrastructure.Data;

/// <summary>
/// The context on PostgreSQL; its migrations are in <c>Migrations/Postgres</c>. Identifiers are
/// lower case (EFCore.NamingConventions), so the few plain SQL statements, written unquoted, name
/// the same columns on both databases. Text columns use the <c>C</c> collation: comparison and
/// <c>sort=name</c> order are by code point, exactly as SQLite's BINARY, whatever locale the server has.
/// </summary>
public sealed class PostgresShopDb(DbContextOptions<PostgresShopDb> options) : ShopDb(options)
{
    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        foreach (var property in modelBuilder.Model.GetEntityTypes().SelectMany(e => e.GetProperties()).Where(p => p.ClrType == typeof(string)))
        {
            property.SetCollation("C");
        }
    }
}

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
