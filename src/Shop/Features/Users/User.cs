namespace Shop.Features.Users;

/// <summary>An account. Never leaves the service: the API speaks <see cref="UserResponse"/>.</summary>
public sealed class User
{
    public long Id { get; set; }

    /// <summary>The username as its owner wrote it.</summary>
    public required string Username { get; set; }

    /// <summary>The username in lower case: unique, so "Alice" and "alice" cannot both exist, and what logins look up.</summary>
    public required string NormalizedUsername { get; set; }

    public string? Email { get; set; }
    public required string Role { get; set; }

    /// <summary>
    /// ASP.NET Core Identity's versioned hash format (salted PBKDF2 with its parameters inside),
    /// so a stronger setting later re-hashes each password at its owner's next login.
    /// </summary>
    public required string PasswordHash { get; set; }

    public DateTime CreatedAt { get; set; }

    public static string Normalize(string username) => username.ToLowerInvariant();
}
