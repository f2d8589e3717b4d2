using Shop.Features.Users;

namespace Shop.Features.ApiKeys;

/// <summary>An API key. The key itself is never stored, only its keyed hash and a visible prefix to tell keys apart.</summary>
public sealed class ApiKey
{
    public long Id { get; set; }
    public long UserId { get; set; }
    public User? User { get; set; }
    public required string Name { get; set; }
    public required string Prefix { get; set; }
    public required byte[] KeyHash { get; set; }
    public DateTime CreatedAt { get; set; }
}
