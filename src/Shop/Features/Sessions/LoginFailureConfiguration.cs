using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Shop.Features.Sessions;

public sealed class LoginFailureConfiguration : IEntityTypeConfiguration<LoginFailure>
{
    public void Configure(EntityTypeBuilder<LoginFailure> builder)
    {
        builder.ToTable("login_failures");
        builder.HasKey(f => f.Id);
        builder.Property(f => f.NormalizedUsername).HasMaxLength(LoginThrottle.KeyMax);
        builder.HasIndex(f => new { f.NormalizedUsername, f.FailedAt });
    }
}
