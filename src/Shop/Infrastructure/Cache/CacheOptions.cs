namespace Shop.Infrastructure.Cache;

/// <summary>What the cache is told: the <c>redis</c> setting (<c>host:port</c> or <c>redis://…</c>, already checked); null = memory only.</summary>
public sealed record CacheOptions(string? Redis = null)
{
    /// <summary>
    /// The <c>cache_lag_ms</c> setting: how long after a write answered by another instance (or
    /// worker process) a cached read may still return what was there before; zero makes every read
    /// check the change log (one database round trip per read on PostgreSQL).
    /// </summary>
    public TimeSpan Lag { get; init; } = TimeSpan.FromMilliseconds(20);
}
