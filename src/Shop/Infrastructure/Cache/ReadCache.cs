using System.Collections.Concurrent;
using Shop.Infrastructure.Logging;
using Shop.Infrastructure.Metrics;
using ZiggyCreatures.Caching.Fusion;

namespace Shop.Infrastructure.Cache;

/// <summary>
/// A read-through cache that is exact per key: entries live in a FusionCache (memory as L1, Redis as
/// L2 when configured; one loader per key per process) as <see cref="Stamped{TValue}"/> values, and
/// an entry is used only while no change logged after its stamp retired its key
/// (<see cref="Retire"/>) or every key (<see cref="RetireAll"/>). The owner feeds the retirements
/// from a change log that the writers append to in their own transactions; so the check holds for
/// entries in memory and for entries another instance put in Redis, whatever pub/sub messages were
/// lost. Hits and misses are counted per level: <c>shop_cache_hits_total{cache,level}</c>. A
/// <see cref="Doorkeeper"/> decides which loaded values stay in memory once it is full.
/// </summary>
public sealed class ReadCache<TValue> where TValue : class
{
    /// <summary>Retired keys remembered at most; beyond that the whole cache is retired at once.</summary>
    private const int MaxRetired = 100_000;

    private static readonly FusionCacheEntryOptions MemoryOnly = new()
    {
        SkipDistributedCacheRead = true,
        SkipDistributedCacheWrite = true,
        SkipBackplaneNotifications = true,
    };

    private readonly string _name;
    private readonly IFusionCache _cache;
    private readonly bool _shared;
    private readonly ShopMetrics _metrics;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, long> _retired = new();
    private readonly Lock _retiring = new();
    private long _floor;

    private readonly Func<TValue, long, bool>? _unchangedSince;
    private readonly Doorkeeper? _doorkeeper;
    // A load whose key the doorkeeper refuses: one loader per key still, and L2 as usual, but no entry in memory.
    private readonly FusionCacheEntryOptions _notKept;

    /// <param name="name">The cache's name in metrics and log lines, e.g. <c>goods</c>.</param>
    /// <param name="shared">True when <paramref name="cache"/> has a distributed level (L2).</param>
    /// <param name="unchangedSince">
    /// For values that depend on more than their key: whether nothing the owner has seen since the
    /// stamp changed this value (checked besides the key's and the whole cache's retirements).
    /// </param>
    /// <param name="doorkeeper">Which loaded values are kept in memory; null: every one.</param>
    public ReadCache(
        string name, IFusionCache cache, bool shared, ShopMetrics metrics, ILogger logger, Func<TValue, long, bool>? unchangedSince = null, Doorkeeper? doorkeeper = null)
    {
        (_name, _cache, _shared, _metrics, _logger, _unchangedSince, _doorkeeper) = (name, cache, shared, metrics, logger, unchangedSince, doorkeeper);
        _notKept = cache.CreateEntryOptions(options => options.SkipMemoryCacheWrite = true);
    }

    public IFusionCache Fusion => _cache;

    /// <summary>
    /// The cached value of <paramref name="key"/> if it is current at <paramref name="stamp"/> (the
    /// change-log position the caller has caught up to); otherwise <paramref name="load"/>'s, kept
    /// with that stamp. A null stamp means the log could not be read: the cache is bypassed.
    /// </summary>
    public async ValueTask<TValue?> GetOrLoadAsync(string key, long? stamp, Func<CancellationToken, Task<TValue?>> load, CancellationToken cancellationToken)
    {
        if (stamp is not { } current)
        {
            Count(hit: false, "l1", key);
            return await load(cancellationToken);
        }
        var inMemory = _cache.TryGet<Stamped<TValue>>(key, MemoryOnly, cancellationToken);
        if (inMemory.HasValue && IsCurrent(key, inMemory.Value))
        {
            Count(hit: true, "l1", key);
            return inMemory.Value.Value;
        }
        if (inMemory.HasValue)
        {
            _cache.Remove(key, MemoryOnly, cancellationToken);
        }
        var level = _shared ? "l2" : "l1";
        var options = _doorkeeper is null || _doorkeeper.Admits(key) ? null : _notKept;
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var loaded = false;
            var entry = await _cache.GetOrSetAsync<Stamped<TValue>>(key, async (_, token) =>
            {
                loaded = true;
                return new Stamped<TValue>(current, await load(token));
            }, options, cancellationToken);
            if (loaded || IsCurrent(key, entry))
            {
                Count(hit: !loaded, level, key);
                return entry.Value;
            }
            // Put in Redis (or by a load that began earlier) before a change this process has seen:
            // gone from every level, and loaded again.
            await _cache.RemoveAsync(key, token: cancellationToken);
        }
        Count(hit: false, level, key);
        return await load(cancellationToken);
    }

    /// <summary>
    /// The value of <paramref name="key"/> when a current entry of it is in this process's memory
    /// (and <paramref name="usable"/> takes it), counted as a hit; otherwise null and uncounted, so
    /// the caller's usual read counts the lookup.
    /// </summary>
    public TValue? FindInMemory(string key, CancellationToken cancellationToken = default, Func<TValue, bool>? usable = null)
    {
        var inMemory = _cache.TryGet<Stamped<TValue>>(key, MemoryOnly, cancellationToken);
        if (!inMemory.HasValue || inMemory.Value.Value is not { } value || (usable is not null && !usable(value)) || !IsCurrent(key, inMemory.Value))
        {
            return null;
        }
        Count(hit: true, "l1", key);
        return inMemory.Value.Value;
    }

    /// <summary>Entries of <paramref name="key"/> stamped before <paramref name="sequence"/> are no longer used; the one in memory goes now.</summary>
    public void Retire(string key, long sequence)
    {
        lock (_retiring)
        {
            _retired.AddOrUpdate(key, sequence, (_, known) => Math.Max(known, sequence));
            if (_retired.Count > MaxRetired)
            {
                RetireAll(sequence);
            }
        }
        _cache.Remove(key, MemoryOnly);
    }

    /// <summary>Every entry stamped before <paramref name="sequence"/> is no longer used.</summary>
    public void RetireAll(long sequence)
    {
        lock (_retiring)
        {
            // The floor first (see IsCurrent).
            Volatile.Write(ref _floor, Math.Max(Volatile.Read(ref _floor), sequence));
            _retired.Clear();
        }
    }

    // The floor last: a reader that finds a retirement already cleared then finds the floor raised.
    private bool IsCurrent(string key, Stamped<TValue> entry) =>
        (!_retired.TryGetValue(key, out var retiredAt) || entry.Stamp >= retiredAt)
        && (_unchangedSince is null || entry.Value is null || _unchangedSince(entry.Value, entry.Stamp))
        && entry.Stamp >= Volatile.Read(ref _floor);

    private void Count(bool hit, string level, string key)
    {
        if (hit)
        {
            _metrics.CacheHit(_name, level);
        }
        else
        {
            _metrics.CacheMiss(_name, level);
        }
        if (_logger.IsEnabled(LogLevel.Debug))
        {
            _logger.Debug($"Cache {_name}: {level} {(hit ? "hit" : "miss")} {{Key}}", key);
        }
    }
}
