using Microsoft.Extensions.Logging;
using ZiggyCreatures.Caching.Fusion.Locking;

namespace Shop.Infrastructure.Cache;

/// <summary>
/// Hand-written because FusionCache's default memory locker keeps a semaphore per key for five
/// minutes after its last use (a million goods read at random pile up hundreds of thousands of
/// them, near the heap's limit), its bounded lockers are internal, and AsyncKeyedLock is not
/// served here: this one lets one loader per key run, as FusionCache's does, and keeps a key's
/// semaphore only while a caller holds or waits for it.
/// </summary>
public sealed class LoadLocks : IFusionCacheMemoryLocker
{
    /// <summary>A key's semaphore and the callers holding or waiting for it.</summary>
    private sealed class Slot(string key)
    {
        public string Key { get; } = key;
        public SemaphoreSlim Gate { get; } = new(1, 1);
        public int Users;
    }

    private readonly Dictionary<string, Slot> _slots = new(StringComparer.Ordinal);

    /// <summary>The keys with a holder or a waiter now (what this keeps in memory).</summary>
    public int Count
    {
        get
        {
            lock (_slots)
            {
                return _slots.Count;
            }
        }
    }

    /// <summary>The callers holding or waiting for <paramref name="key"/>.</summary>
    internal int Users(string key)
    {
        lock (_slots)
        {
            return _slots.TryGetValue(key, out var slot) ? slot.Users : 0;
        }
    }

    public async ValueTask<object?> AcquireLockAsync(string cacheName, string cacheInstanceId, string operationId, string key, TimeSpan timeout, ILogger? logger, CancellationToken token)
    {
        var slot = Enter(key);
        var acquired = false;
        try
        {
            acquired = await slot.Gate.WaitAsync(timeout, token).ConfigureAwait(false);
        }
        finally
        {
            if (!acquired)
            {
                Leave(slot);
            }
        }
        return acquired ? slot : null;
    }

    public object? AcquireLock(string cacheName, string cacheInstanceId, string operationId, string key, TimeSpan timeout, ILogger? logger, CancellationToken token)
    {
        var slot = Enter(key);
        var acquired = false;
        try
        {
            acquired = slot.Gate.Wait(timeout, token);
        }
        finally
        {
            if (!acquired)
            {
                Leave(slot);
            }
        }
        return acquired ? slot : null;
    }

    public void ReleaseLock(string cacheName, string cacheInstanceId, string operationId, string key, object? lockObj, ILogger? logger)
    {
        if (lockObj is Slot slot)
        {
            slot.Gate.Release();
            Leave(slot);
        }
    }

    // Nothing to free: a SemaphoreSlim whose wait handle was never asked for holds no OS resource.
    public void Dispose()
    {
    }

    private Slot Enter(string key)
    {
        lock (_slots)
        {
            if (!_slots.TryGetValue(key, out var slot))
            {
                slot = new Slot(key);
                _slots.Add(key, slot);
            }
            slot.Users++;
            return slot;
        }
    }

    private void Leave(Slot slot)
    {
        lock (_slots)
        {
            if (--slot.Users == 0)
            {
                _slots.Remove(slot.Key);
            }
        }
    }
}
