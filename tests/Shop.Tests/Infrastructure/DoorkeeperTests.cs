using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Shop.Infrastructure.Cache;
using Shop.Infrastructure.Metrics;
using ZiggyCreatures.Caching.Fusion;

namespace Shop.Tests.Infrastructure;

public sealed class DoorkeeperTests
{
    private const int Capacity = 100;

    private sealed record Box(int Value);

    private static MemoryCache Memory(int filled)
    {
        var memory = new MemoryCache(new MemoryCacheOptions { SizeLimit = Capacity });
        for (var i = 0; i < filled; i++)
        {
            memory.Set($"other:{i}", new object(), new MemoryCacheEntryOptions { Size = 1 });
        }
        return memory;
    }

    [Fact]
    public void EveryKeyIsAdmittedWhileTheCacheHasRoom()
    {
        using var memory = Memory(filled: 50);
        var doorkeeper = new Doorkeeper(memory, Capacity, TimeSpan.Zero);

        Assert.All(Enumerable.Range(0, 1_000), i => Assert.True(doorkeeper.Admits($"goods:{i}")));
    }

    [Fact]
    public void OnceTheCacheIsFullAKeyIsAdmittedOnItsSecondMissOnly()
    {
        using var memory = Memory(filled: 95);
        var doorkeeper = new Doorkeeper(memory, Capacity, TimeSpan.Zero);

        Assert.False(doorkeeper.Admits("goods:1"));
        Assert.False(doorkeeper.Admits("goods:2"));
        Assert.True(doorkeeper.Admits("goods:1"));
        Assert.True(doorkeeper.Admits("goods:2"));
    }

    [Fact]
    public void AKeyMissedOnlyInAnEarlierWindowIsRefusedAgain()
    {
        using var memory = Memory(filled: 95);
        var doorkeeper = new Doorkeeper(memory, Capacity, TimeSpan.Zero);
        Assert.False(doorkeeper.Admits("goods:1"));

        // A window is four capacities' worth of first misses; after it, goods:1 is forgotten. A key
        // whose bit another key set counts no first miss, so more keys than one window are read.
        var admitted = Enumerable.Range(1_000, 5 * Capacity).Count(i => doorkeeper.Admits($"goods:{i}"));

        Assert.False(doorkeeper.Admits("goods:1"));
        Assert.True(admitted < Capacity / 10, $"{admitted} first misses were admitted");
    }

    [Fact]
    public async Task AValueRefusedByTheDoorkeeperIsAnsweredButNotKeptInMemoryUntilItsSecondMiss()
    {
        using var memory = Memory(filled: 95);
        using var fusion = new FusionCache(new FusionCacheOptions { DefaultEntryOptions = new FusionCacheEntryOptions { Duration = TimeSpan.FromMinutes(1), Size = 1 } }, memory);
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var cache = new ReadCache<Box>("test", fusion, shared: false, new ShopMetrics(services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>()),
            NullLogger.Instance, doorkeeper: new Doorkeeper(memory, Capacity, TimeSpan.Zero));
        var loads = 0;
        Task<Box?> Load(CancellationToken _) => Task.FromResult<Box?>(new Box(++loads));
        var token = TestContext.Current.CancellationToken;

        Assert.Equal(1, (await cache.GetOrLoadAsync("goods:1", 1, Load, token))?.Value);
        Assert.Null(cache.FindInMemory("goods:1", token));
        Assert.Equal(2, (await cache.GetOrLoadAsync("goods:1", 1, Load, token))?.Value);
        Assert.Equal(2, cache.FindInMemory("goods:1", token)?.Value);
        Assert.Equal(2, (await cache.GetOrLoadAsync("goods:1", 1, Load, token))?.Value);
        Assert.Equal(2, loads);
    }
}
