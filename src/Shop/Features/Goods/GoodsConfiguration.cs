using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Shop.Features.Goods;

public sealed class GoodsConfiguration : IEntityTypeConfiguration<GoodsItem>
{
    public void Configure(EntityTypeBuilder<GoodsItem> builder)
    {
        builder.ToTable("goods");
        builder.HasKey(g => g.Id);
        builder.Property(g => g.Sku).HasMaxLength(GoodsRules.SkuMax);
        builder.HasIndex(g => g.Sku).IsUnique();
        builder.Property(g => g.Name).HasMaxLength(GoodsRules.NameMax * 2);
        builder.Property(g => g.NameFolded).HasMaxLength(GoodsRules.NameMax * 4);
        builder.Property(g => g.Description).HasMaxLength(GoodsRules.DescriptionMax * 2);
        builder.Property(g => g.Category).HasMaxLength(GoodsRules.CategoryMax * 2);
        builder.HasIndex(g => g.Category);
        builder.HasIndex(g => g.PriceCents);
        builder.Property(g => g.Version).IsConcurrencyToken();
    }
}
