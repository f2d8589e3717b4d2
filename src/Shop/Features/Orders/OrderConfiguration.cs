using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Shop.Features.Orders;

public sealed class OrderConfiguration : IEntityTypeConfiguration<Order>
{
    public void Configure(EntityTypeBuilder<Order> builder)
    {
        builder.ToTable("orders");
        builder.HasKey(o => o.Id);
        builder.Property(o => o.Status).HasMaxLength(16);
        builder.Property(o => o.UserName).HasMaxLength(64);
        builder.Property(o => o.IdempotencyKey).HasMaxLength(OrdersRules.IdempotencyKeyMax);
        // The claim's scan, a customer's own list, and one order per user and key (SQLite and
        // PostgreSQL both let many rows have no key).
        builder.HasIndex(o => new { o.Status, o.LeaseUntil });
        builder.HasIndex(o => o.UserId);
        builder.HasIndex(o => new { o.UserId, o.IdempotencyKey }).IsUnique();
        // Orders are history: they keep user and goods ids without foreign keys, so deleting a
        // user or a goods never rewrites or blocks on them.
        builder.HasMany(o => o.Lines).WithOne().HasForeignKey(l => l.OrderId).OnDelete(DeleteBehavior.Cascade);
    }
}
