using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Caching.StackExchangeRedis;
using Shop.Infrastructure.Metrics;
using ZiggyCreatures.Caching.Fusion;
using ZiggyCreatures.Caching.Fusion.Backplane.StackExchangeRedis;
using ZiggyCreatures.Caching.Fusion.Serialization.SystemTextJson;

namespace Shop.Infrastructure.Cache;

/// <summary>
/// Builds the FusionCache of a named cache: L1 in memory always; with <c>redis</c> set, Redis as L2
/// and the Redis backplane, which tells the other instances to drop their L1 copy of a key that
/// changed. Redis trouble never reaches a request: L2 and backplane calls run in the background
/// where they can, errors open a 2-second circuit breaker and are logged at DEBUG only
/// (<see cref="RedisConnection"/> writes the one WARNING).
/// </summary>
public sealed class CacheLevels(ShopMetrics metrics, ILoggerFactory logs, RedisConnection? redis = null)
{
    /// <summary>True when the caches have a shared L2 (Redis).</summary>
    public bool Shared => redis is not null;

    /// <summary>
    /// A <see cref="ReadCache{TValue}"/> of at most <paramref name="capacity"/> entries in memory; once
    /// that is full, a value is kept in memory on its key's second miss (<see cref="Doorkeeper"/>).
    /// </summary>
    /// <param name="types">Source-generated JSON for the L2 entries (<c>FusionCacheDistributedEntry&lt;T&gt;</c> of what is cached).</param>
    /// <param name="unchangedSince">As <see cref="ReadCache{TValue}"/> takes it.</param>
    public ReadCache<TValue> Read<TValue>(string name, int capacity, IJsonTypeInfoResolver types, ILogger logger, Func<TValue, long, bool>? unchangedSince = null)
        where TValue : class
    {
        var memory = new MemoryCache(new MemoryCacheOptions { SizeLimit = capacity });
        return new ReadCache<TValue>(name, Create(name, memory, types), Shared, metrics, logger, unchangedSince, new Doorkeeper(memory, capacity));
    }

    private IFusionCache Create(string name, MemoryCache memory, IJsonTypeInfoResolver types)
    {
        var options = new FusionCacheOptions
        {
            CacheName = name,
            // Each cache's keys and backplane channel apart in the one Redis. Pub/sub ignores the
            // database number, so the channel names it: services on other databases of one Redis
            // do not drop each other's entries.
            CacheKeyPrefix = $"shop:{name}:",
            BackplaneChannelPrefix = redis is null ? $"shop:{name}" : $"shop:{redis.Address.Database}:{name}",
            DefaultEntryOptions = new FusionCacheEntryOptions
            {
                Duration = TimeSpan.FromMinutes(10),
                Size = 1,
                AllowBackgroundDistributedCacheOperations = true,
                AllowBackgroundBackplaneOperations = true,
                DistributedCacheHardTimeout = TimeSpan.FromMilliseconds(250),
            },
            DistributedCacheCircuitBreakerDuration = TimeSpan.FromSeconds(2),
            BackplaneCircuitBreakerDuration = TimeSpan.FromSeconds(2),
            DistributedCacheErrorsLogLevel = LogLevel.Debug,
            DistributedCacheSyntheticTimeoutsLogLevel = LogLevel.Debug,
            BackplaneErrorsLogLevel = LogLevel.Debug,
            BackplaneSyntheticTimeoutsLogLevel = LogLevel.Debug,
            FactoryErrorsLogLevel = LogLevel.Debug,
            FailSafeActivationLogLevel = LogLevel.Debug,
            PluginsInfoLogLevel = LogLevel.Debug,
            MissingCacheKeyPrefixWarningLogLevel = LogLevel.Debug,
            IncoherentOptionsNormalizationLogLevel = LogLevel.Debug,
            SerializationErrorsLogLevel = LogLevel.Error,
        };
        var cache = new FusionCache(options, memory, logs.CreateLogger<FusionCache>(), new LoadLocks());
        if (redis is not null)
        {
            var connection = () => Task.FromResult(redis.Multiplexer);
            cache.SetupDistributedCache(
                new RedisCache(new RedisCacheOptions { ConnectionMultiplexerFactory = connection }),
                new FusionCacheSystemTextJsonSerializer(new JsonSerializerOptions { TypeInfoResolver = types }));
            cache.SetupBackplane(new RedisBackplane(new RedisBackplaneOptions { ConnectionMultiplexerFactory = connection }, logs.CreateLogger<RedisBackplane>()));
            cache.Events.Backplane.MessageReceived += (_, _) => metrics.CacheInvalidationsReceived(name, "backplane", 1);
        }
        return cache;
    }
}
