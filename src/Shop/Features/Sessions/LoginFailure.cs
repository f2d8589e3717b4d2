namespace Shop.Features.Sessions;

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
