using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Shop.Features.Sessions;

internal sealed class LoginTurnConfiguration : IEntityTypeConfiguration<LoginTurn>
{
    public void Configure(EntityTypeBuilder<LoginTurn> builder)
    {
        builder.ToTable("login_turns");
        builder.HasKey(t => t.NormalizedUsername);
        builder.Property(t => t.NormalizedUsername).HasMaxLength(LoginThrottle.KeyMax);
        builder.Property(t => t.Holder).HasMaxLength(32);
    }
}
