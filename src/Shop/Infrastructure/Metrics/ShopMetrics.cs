using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using Serilog.Events;
using Shop.Infrastructure.Logging;

namespace Shop.Infrastructure.Metrics;

/// <summary>
/// The service's own instruments (the <c>Shop</c> meter), exported at <c>/metrics</c> next to the
/// framework's HTTP and runtime metrics. Modules get this singleton from DI and call the small
/// methods below; each one costs an allocation-free counter add or interlocked increment, so they are
/// safe on hot paths.
/// Tag values must come from a small fixed set (a status, a job kind), never from user input or ids,
/// or every distinct value becomes a new time series.
/// </summary>
/// <remarks>
/// Prometheus names (OpenTelemetry adds the unit and <c>_total</c> suffixes):
/// <c>shop_cache_hits_total{cache,level}</c>, <c>shop_cache_misses_total{cache,level}</c> (level l1 or l2),
/// <c>shop_cache_invalidations_sent_total{cache}</c>, <c>shop_cache_invalidations_received_total{cache,via}</c>,
/// <c>shop_redis_up</c>,
/// <c>shop_queue_depth{queue}</c>, <c>shop_jobs_finished_total{kind,outcome}</c>,
/// <c>shop_orders_total{status}</c>, <c>shop_log_events_total{level}</c>, <c>shop_ready</c>.
/// </remarks>
public sealed class ShopMetrics
{
    public const string MeterName = "Shop";

    // Cache lookups are counted with interlocked increments and read at scrape time, as log events
    // are: a hit is the whole work of a GET answered from memory, and a counter's add with its tags
    // cost a visible share of it.
    private readonly ConcurrentDictionary<(string Cache, string Level), StrongBox<long>> _cacheHits = new();
    private readonly ConcurrentDictionary<(string Cache, string Level), StrongBox<long>> _cacheMisses = new();
    private readonly Counter<long> _invalidationsSent;
    private readonly Counter<long> _invalidationsReceived;
    private readonly Counter<long> _jobsFinished;
    private readonly Counter<long> _orders;
    private readonly Lock _queuesLock = new();
    private (string Queue, Func<long> Depth)[] _queues = [];

    // Log events are counted with plain interlocked increments and read at scrape time, because a
    // counted sink runs for every log line and must cost next to nothing.
    private readonly long[] _logEvents = new long[(int)LogEventLevel.Fatal + 1];

    // -1 until /readyz has been asked once: "unknown" must not look like "down" or "up".
    private int _ready = -1;

    // -1 when no Redis is configured: then there is no shop_redis_up series at all.
    private int _redisUp = -1;

    public ShopMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName, typeof(ShopMetrics).Assembly.GetName().Version?.ToString());
        meter.CreateObservableCounter("shop.cache.hits", () => Observe(_cacheHits), "{hit}", "Cache lookups answered from the cache");
        meter.CreateObservableCounter("shop.cache.misses", () => Observe(_cacheMisses), "{miss}", "Cache lookups that went to the database");
        _invalidationsSent = meter.CreateCounter<long>("shop.cache.invalidations.sent", "{key}", "Cache keys this process retired by a write of its own");
        _invalidationsReceived = meter.CreateCounter<long>("shop.cache.invalidations.received", "{key}", "Cache keys retired by a write that reached this process, by the path it came by");
        meter.CreateObservableGauge("shop.redis.up", ObserveRedis, null, "1 while the configured Redis is connected, 0 while it is not");
        _jobsFinished = meter.CreateCounter<long>("shop.jobs.finished", "{job}", "Background jobs that ended, by kind and outcome");
        _orders = meter.CreateCounter<long>("shop.orders", "{order}", "Orders that reached each status");
        meter.CreateObservableGauge("shop.queue.depth", ObserveQueues, "{item}", "Items waiting in each queue");
        meter.CreateObservableCounter("shop.log.events", ObserveLogEvents, "{event}", "Log events written, by level");
        meter.CreateObservableGauge("shop.ready", ObserveReady, null, "1 when the last /readyz check passed, 0 when it failed");
    }

    /// <summary>A lookup in the named cache (e.g. "goods") was answered from the cache <paramref name="level"/> ("l1" memory, "l2" Redis).</summary>
    public void CacheHit(string cache, string level = "l1") => Count(_cacheHits, cache, level);

    /// <summary>A lookup in the named cache missed at its last <paramref name="level"/> and went to the source.</summary>
    public void CacheMiss(string cache, string level = "l1") => Count(_cacheMisses, cache, level);

    /// <summary>A write of this process retired <paramref name="keys"/> keys of the named cache.</summary>
    public void CacheInvalidationsSent(string cache, long keys) => _invalidationsSent.Add(keys, new KeyValuePair<string, object?>("cache", cache));

    /// <summary>Retirements of keys of the named cache reached this process <paramref name="via"/> ("change_log", "backplane").</summary>
    public void CacheInvalidationsReceived(string cache, string via, long keys) =>
        _invalidationsReceived.Add(keys, new KeyValuePair<string, object?>("cache", cache), new KeyValuePair<string, object?>("via", via));

    /// <summary>The configured Redis connected or went away (<c>shop_redis_up</c>).</summary>
    public void RedisConnected(bool up) => Volatile.Write(ref _redisUp, up ? 1 : 0);

    /// <summary>A background job ended: <paramref name="kind"/> as in the jobs API (e.g. "import", "order"),
    /// <paramref name="outcome"/> "succeeded" or "failed".</summary>
    public void JobFinished(string kind, string outcome) =>
        _jobsFinished.Add(1, new KeyValuePair<string, object?>("kind", kind), new KeyValuePair<string, object?>("outcome", outcome));

    /// <summary>An order entered <paramref name="status"/> (pending, confirmed, rejected, cancelled). Call once per
    /// transition, after the change is committed, so the counter matches the database.</summary>
    public void OrderStatusChanged(string status) => _orders.Add(1, new KeyValuePair<string, object?>("status", status));

    /// <summary>
    /// Registers a callback read at every scrape for <c>shop_queue_depth{queue}</c>. It runs on the scrape
    /// thread, so it must be cheap and must not block: return an in-memory count kept by the queue (or a
    /// value refreshed in the background), never run a query here. Dispose the result to unregister.
    /// </summary>
    public IDisposable ObserveQueueDepth(string queue, Func<long> depth)
    {
        lock (_queuesLock)
        {
            _queues = [.. _queues, (queue, depth)];
        }
        return new Unregister(() =>
        {
            lock (_queuesLock)
            {
                _queues = [.. _queues.Where(q => q.Depth != depth)];
            }
        });
    }

    /// <summary>The outcome of a <c>/readyz</c> check, exported as <c>shop_ready</c> for the readiness alert.</summary>
    public void ReadinessChecked(bool ready) => Volatile.Write(ref _ready, ready ? 1 : 0);

    /// <summary>One log event of <paramref name="level"/> was written (called by the counting log sink).</summary>
    public void LogEventWritten(LogEventLevel level) => Interlocked.Increment(ref _logEvents[(int)level]);

    private static void Count(ConcurrentDictionary<(string Cache, string Level), StrongBox<long>> counts, string cache, string level) =>
        Interlocked.Increment(ref counts.GetOrAdd((cache, level), static _ => new StrongBox<long>()).Value);

    private static IEnumerable<Measurement<long>> Observe(ConcurrentDictionary<(string Cache, string Level), StrongBox<long>> counts)
    {
        foreach (var ((cache, level), count) in counts)
        {
            yield return new Measurement<long>(Interlocked.Read(ref count.Value),
                new KeyValuePair<string, object?>("cache", cache), new KeyValuePair<string, object?>("level", level));
        }
    }

    private IEnumerable<Measurement<long>> ObserveQueues()
    {
        foreach (var (queue, depth) in Volatile.Read(ref _queues))
        {
            long value;
            try
            {
                value = depth();
            }
            catch (Exception ex) when (ex is not OutOfMemoryException and not StackOverflowException)
            {
                // A failing callback must not break the whole scrape; the gap in the series shows it.
                continue;
            }
            yield return new Measurement<long>(value, new KeyValuePair<string, object?>("queue", queue));
        }
    }

    private IEnumerable<Measurement<long>> ObserveLogEvents()
    {
        // Labelled with the names of the log lines; Verbose and Debug share the name DEBUG.
        var verbose = Interlocked.Read(ref _logEvents[(int)LogEventLevel.Verbose]);
        for (var level = LogEventLevel.Debug; level <= LogEventLevel.Fatal; level++)
        {
            var count = Interlocked.Read(ref _logEvents[(int)level]) + (level == LogEventLevel.Debug ? verbose : 0);
            yield return new(count, new KeyValuePair<string, object?>("level", LevelNameEnricher.NameOf(level)));
        }
    }

    private IEnumerable<Measurement<int>> ObserveRedis()
    {
        var up = Volatile.Read(ref _redisUp);
        if (up >= 0)
        {
            yield return new Measurement<int>(up);
        }
    }

    private IEnumerable<Measurement<int>> ObserveReady()
    {
        var ready = Volatile.Read(ref _ready);
        if (ready >= 0)
        {
            yield return new Measurement<int>(ready);
        }
    }

    private sealed class Unregister(Action action) : IDisposable
    {
        private int _done;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _done, 1) == 0)
            {
                action();
            }
        }
    }
}
