using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Shop.Features.Users;

public sealed class UserConfiguration : IEntityTypeConfiguration<User>
{
    public void Configure(EntityTypeBuilder<User> builder)
    {
        builder.ToTable("users");
        builder.HasKey(u => u.Id);
        builder.Property(u => u.Username).HasMaxLength(UsersRules.UsernameMax);
        builder.Property(u => u.NormalizedUsername).HasMaxLength(UsersRules.UsernameMax);
        builder.HasIndex(u => u.NormalizedUsername).IsUnique();
        builder.Property(u => u.Email).HasMaxLength(UsersRules.EmailMax);
        builder.Property(u => u.Role).HasMaxLength(16);
        builder.Property(u => u.PasswordHash).HasMaxLength(512);
    }
}
