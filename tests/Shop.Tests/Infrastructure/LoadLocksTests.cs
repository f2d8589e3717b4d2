using Microsoft.Extensions.Caching.Memory;
using Shop.Infrastructure.Cache;
using ZiggyCreatures.Caching.Fusion;

namespace Shop.Tests.Infrastructure;

public sealed class LoadLocksTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    private static FusionCache CacheWith(LoadLocks locks, int capacity = 100) =>
        new(new FusionCacheOptions { DefaultEntryOptions = new FusionCacheEntryOptions { Duration = TimeSpan.FromMinutes(1), Size = 1 } },
            new MemoryCache(new MemoryCacheOptions { SizeLimit = capacity }), memoryLocker: locks);

    [Fact]
    public async Task ConcurrentMissesOfOneKeyRunOneLoaderAndShareItsValue()
    {
        var locks = new LoadLocks();
        using var cache = CacheWith(locks);
        var release = new TaskCompletionSource();
        var loads = 0;
        var readers = Enumerable.Range(0, 8).Select(_ => Task.Run(async () => await cache.GetOrSetAsync<int>("goods:1", async (_, token) =>
        {
            Interlocked.Increment(ref loads);
            await release.Task.WaitAsync(token);
            return 42;
        }))).ToList();

        // Every reader is in: one loads, seven wait for it.
        await Until(() => locks.Users("goods:1") == 8);
        release.SetResult();
        var values = await Task.WhenAll(readers).WaitAsync(Bound, TestContext.Current.CancellationToken);

        Assert.Equal(1, loads);
        Assert.All(values, value => Assert.Equal(42, value));
        Assert.Equal(0, locks.Count);
    }

    [Fact]
    public async Task AThousandDistinctKeysLoadedLeaveNoLockBehind()
    {
        // FusionCache's own locker keeps each key's semaphore for five minutes; a catalogue read at random piles them up.
        var locks = new LoadLocks();
        using var cache = CacheWith(locks, capacity: 10);
        await Parallel.ForEachAsync(Enumerable.Range(0, 1_000), async (id, token) =>
            Assert.Equal(id, await cache.GetOrSetAsync<int>($"goods:{id}", (_, _) => Task.FromResult(id), token: token)));

        Assert.Equal(0, locks.Count);
    }

    [Fact]
    public async Task AWaiterThatIsCancelledLeavesTheHolderAndTheNextCallerUnharmed()
    {
        var locks = new LoadLocks();
        var holder = await locks.AcquireLockAsync("goods", "1", "a", "goods:1", Timeout.InfiniteTimeSpan, null, CancellationToken.None);
        using var cancel = new CancellationTokenSource();
        var waiter = locks.AcquireLockAsync("goods", "1", "b", "goods:1", Timeout.InfiniteTimeSpan, null, cancel.Token).AsTask();
        await Until(() => locks.Users("goods:1") == 2);

        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiter);
        Assert.Equal(1, locks.Count);
        locks.ReleaseLock("goods", "1", "a", "goods:1", holder, null);
        Assert.Equal(0, locks.Count);

        var next = await locks.AcquireLockAsync("goods", "1", "c", "goods:1", TimeSpan.Zero, null, CancellationToken.None);
        Assert.NotNull(next);
        locks.ReleaseLock("goods", "1", "c", "goods:1", next, null);
        Assert.Equal(0, locks.Count);
    }

    [Fact]
    public async Task AWaitThatTimesOutGetsNoLockAndKeepsNothing()
    {
        var locks = new LoadLocks();
        var holder = locks.AcquireLock("goods", "1", "a", "goods:1", Timeout.InfiniteTimeSpan, null, CancellationToken.None);

        Assert.Null(await locks.AcquireLockAsync("goods", "1", "b", "goods:1", TimeSpan.FromMilliseconds(20), null, CancellationToken.None));
        Assert.Null(locks.AcquireLock("goods", "1", "c", "goods:1", TimeSpan.Zero, null, CancellationToken.None));
        Assert.NotNull(locks.AcquireLock("goods", "1", "d", "goods:2", TimeSpan.Zero, null, CancellationToken.None));
        Assert.Equal(2, locks.Count);

        locks.ReleaseLock("goods", "1", "a", "goods:1", holder, null);
        Assert.Equal(1, locks.Count);
    }

    private static async Task Until(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Bound;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the condition did not hold in time");
            await Task.Delay(5, TestContext.Current.CancellationToken);
        }
    }
}
