using Microsoft.EntityFrameworkCore;

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
