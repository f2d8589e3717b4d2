namespace Shop.Infrastructure.Cache;

/// <summary>What the cache is told: the <c>redis</c> setting (<c>host:port</c> or <c>redis://…</c>, already checked); null = memory only.</summary>
public sealed record CacheOptions(string? Redis = null);
