using Shop.Infrastructure.Metrics;

namespace Shop.Infrastructure.Cache;

public static class CacheServices
{
    /// <summary>The cache levels every module's caches are built from; with <c>redis</c> set, the one Redis connection.</summary>
    public static IServiceCollection AddShopCache(this IServiceCollection services, CacheOptions options)
    {
        services.AddSingleton(options);
        if (options.Redis is { } redis)
        {
            var address = RedisAddress.Parse(redis);
            services.AddSingleton(s => new RedisConnection(address, s.GetRequiredService<ShopMetrics>(), s.GetRequiredService<ILogger<RedisConnection>>()));
            services.AddSingleton(s => new CacheLevels(s.GetRequiredService<ShopMetrics>(), s.GetRequiredService<ILoggerFactory>(), s.GetRequiredService<RedisConnection>()));
            // "ready": the tag that puts a check into /readyz (Features/Operations).
            services.AddHealthChecks().AddCheck<RedisHealthCheck>("redis", tags: ["ready"]);
        }
        else
        {
            services.AddSingleton(s => new CacheLevels(s.GetRequiredService<ShopMetrics>(), s.GetRequiredService<ILoggerFactory>()));
        }
        return services;
    }
}
