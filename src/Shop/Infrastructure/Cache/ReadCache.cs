using Microsoft.Extensions.Caching.Memory;
using Shop.Infrastructure.Metrics;

namespace Shop.Infrastructure.Cache;

/// <summary>
/// The contract's in-process cache: a read-through cache whose entries are used only while the
/// database has not changed since they were loaded (<see cref="DatabaseChanges"/>), so no reader
/// sees stale data and no writer has to invalidate anything. Entries live in a
/// <see cref="MemoryCache"/> bounded by <c>capacity</c> entries. Hits and misses are counted in
/// <c>shop_cache_hits_total{cache}</c> and <c>shop_cache_misses_total{cache}</c>.
/// </summary>
/// <param name="name">The cache's name in metrics, e.g. <c>goods</c>.</param>
/// <param name="capacity">Entries kept at most; beyond it MemoryCache drops the least recently used.</param>
public sealed class ReadCache<TKey, TValue>(string name, DatabaseChanges changes, ShopMetrics metrics, int capacity = 10_000) : IDisposable
    where TKey : notnull
    where TValue : class
{
    private readonly MemoryCache _entries = new(new MemoryCacheOptions { SizeLimit = capacity });

    private sealed record Entry(long Version, TValue Value);

    /// <summary>The cached value while the database is unchanged; otherwise <paramref name="load"/>'s, kept for next time (null is not kept).</summary>
    public async Task<TValue?> GetOrLoadAsync(TKey key, Func<CancellationToken, Task<TValue?>> load, CancellationToken cancellationToken)
    {
        // Read BEFORE loading: a commit after this point changes the number, so an entry loaded
        // from before that commit can never be taken for current.
        var version = changes.Current();
        if (version is { } current && _entries.TryGetValue(key, out Entry? entry) && entry!.Version == current)
        {
            metrics.CacheHit(name);
            return entry.Value;
        }
        metrics.CacheMiss(name);
        var value = await load(cancellationToken);
        if (version is { } loadedAt && value is not null)
        {
            _entries.Set(key, new Entry(loadedAt, value), new MemoryCacheEntryOptions { Size = 1 });
        }
        return value;
    }

    public void Dispose() => _entries.Dispose();
}
