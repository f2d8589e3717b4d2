using Microsoft.EntityFrameworkCore;

namespace Shop.Infrastructure.Data;

/// <summary>
/// The one database context. It knows no feature by name: every feature contributes its entities
/// through an <see cref="IEntityTypeConfiguration{TEntity}"/> in its own folder, found here by scan,
/// and reaches them with <c>db.Set&lt;T&gt;()</c>. Adding a feature never edits this file.
/// </summary>
/// <remarks>
/// Abstract, with one subclass per database (<see cref="SqliteShopDb"/>, <see cref="PostgresShopDb"/>):
/// that is how EF Core keeps a migration set per provider in one assembly (each set belongs to its
/// context type). The rest of the service asks for <see cref="ShopDb"/>.
/// </remarks>
public abstract class ShopDb(DbContextOptions options) : DbContext(options)
{
    protected override void OnModelCreating(ModelBuilder modelBuilder) =>
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(ShopDb).Assembly);
}
