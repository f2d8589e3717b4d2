using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Shop.Features.Goods;

public sealed class GoodsChangeConfiguration : IEntityTypeConfiguration<GoodsChange>
{
    /// <summary>No foreign key: the log outlives the goods it names (a delete is a change too).</summary>
    public void Configure(EntityTypeBuilder<GoodsChange> builder)
    {
        builder.ToTable("goods_changes");
        builder.HasKey(c => c.Id);
    }
}
