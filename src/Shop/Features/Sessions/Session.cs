using Shop.Features.Users;

namespace Shop.Features.Sessions;

/// <summary>A login. The token itself is never stored, only its keyed hash (see <see cref="Infrastructure.Auth.Secrets"/>).</summary>
public sealed class Session
{
    public long Id { get; set; }
    public long UserId { get; set; }
    public User? User { get; set; }
    public required byte[] TokenHash { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime ExpiresAt { get; set; }
}
