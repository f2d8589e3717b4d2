using Microsoft.Extensions.Caching.Memory;

namespace Shop.Infrastructure.Cache;

/// <summary>
/// Admission to a full memory cache on a key's second miss. While the cache has room, every loaded
/// value is kept. Once it is full, a value is kept only when its key missed before in the current
/// window (the last four capacities' worth of first misses). Read at random over a catalogue far
/// larger than the cache, most keys come back rarely: keeping each one would evict another entry
/// per miss, and every entry evicted is garbage in the GC's oldest generation. A key read again soon
/// is admitted on its second miss, so what is read often still stays.
/// </summary>
/// <remarks>
/// Hand-written because neither MemoryCache nor FusionCache has an admission policy. A key is one
/// bit of a fixed bitmap (its hash), so two keys can share a bit and one be admitted a miss early,
/// which is harmless. Whether the cache is full is read at most every 100 ms, because
/// <see cref="MemoryCache.Count"/> takes every lock of the cache's dictionary.
/// </remarks>
public sealed class Doorkeeper
{
    private const int Bits = 1 << 20;
    private const double FullAt = 0.9;

    private readonly long[] _seen = new long[Bits / 64];
    private readonly MemoryCache _memory;
    private readonly int _capacity;
    private readonly int _window;
    private readonly long _checkEveryMs;
    private int _marked;
    private long _nextCheckAt;
    private volatile bool _full;

    /// <param name="memory">The cache whose entries are admitted.</param>
    /// <param name="capacity">How many entries <paramref name="memory"/> holds (its size limit, each entry of size 1).</param>
    /// <param name="checkEvery">How long a reading of the cache's fullness is used; null: 100 ms.</param>
    public Doorkeeper(MemoryCache memory, int capacity, TimeSpan? checkEvery = null)
    {
        _memory = memory;
        _capacity = capacity;
        _window = Math.Max(capacity * 4, 64);
        _checkEveryMs = (long)(checkEvery ?? TimeSpan.FromMilliseconds(100)).TotalMilliseconds;
    }

    /// <summary>True when the value of <paramref name="key"/>, just loaded, may be kept in memory.</summary>
    public bool Admits(string key)
    {
        if (!IsFull())
        {
            return true;
        }
        var bit = (uint)key.GetHashCode() & (Bits - 1);
        var mask = 1L << (int)(bit & 63);
        if ((Interlocked.Or(ref _seen[bit >> 6], mask) & mask) != 0)
        {
            return true;
        }
        if (Interlocked.Increment(ref _marked) >= _window)
        {
            // A new window: keys not read again within it are forgotten. Two threads may both clear;
            // a key marked in between is forgotten a window early, which is harmless.
            Array.Clear(_seen);
            Volatile.Write(ref _marked, 0);
        }
        return false;
    }

    private bool IsFull()
    {
        var now = Environment.TickCount64;
        if (now >= Volatile.Read(ref _nextCheckAt))
        {
            Volatile.Write(ref _nextCheckAt, now + _checkEveryMs);
            _full = _memory.Count >= _capacity * FullAt;
        }
        return _full;
    }
}
