using Microsoft.EntityFrameworkCore;

namespace Shop.Infrastructure.Data;

/// <summary>
/// The one database context. It knows no feature by name: every feature contributes its entities
/// through an <see cref="IEntityTypeConfiguration{TEntity}"/> in its own folder, found here by scan,
/// and reaches them with <c>db.Set&lt;T&gt;()</c>. Adding a feature never edits this file.
/// </summary>
public sealed class ShopDb(DbContextOptions<ShopDb> options) : DbContext(options)
{
    protected override void OnModelCreating(ModelBuilder modelBuilder) =>
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(ShopDb).Assembly);
}
