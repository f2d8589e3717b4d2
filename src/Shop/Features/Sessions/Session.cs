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

/// <summary>
/// One failed login for a username (known or not). Kept in the database, not in memory, so that
/// throttling holds across restarts and across instances sharing the database.
/// </summary>
public sealed class LoginFailure
{
    public long Id { get; set; }
    public required string NormalizedUsername { get; set; }
    public DateTime FailedAt { get; set; }
}
