using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Shop.Infrastructure.Cache;
using Shop.Infrastructure.Data;
using Shop.Infrastructure.Logging;
using Shop.Infrastructure.Metrics;

namespace Shop.Features.Goods;

/// <summary>
/// The goods read caches — goods by id and listing pages — kept exact by the goods change log
/// (<see cref="GoodsChange"/>). Before a read uses the cache it catches up with the log: each new
/// row retires that goods' entry, and any row retires every listing page (a write can move a goods
/// into or out of any filter, sort or page). A login, an order accepted, an API key or a job writes
/// no log row, so it retires nothing. On SQLite the catch-up costs one <c>PRAGMA data_version</c>
/// per read (<see cref="DatabaseChanges"/>) and a query of the log only after a commit, of any
/// process on the file; so a read is never older than the last answered write, in this process
/// or another one. On other databases every read catches up with one indexed query of the log
/// (concurrent reads share it), so the same holds there.
/// </summary>
/// <remarks>
/// The log is pruned: a row goes once this process saw it ten minutes ago. A process that has not
/// caught up for five minutes retires everything instead of reading the log (its rows may be gone).
/// </remarks>
public sealed class GoodsCache : BackgroundService
{
    private const int BatchSize = 1_000;
    private const int MaxRemovalsPerWrite = 100;
    private static readonly TimeSpan Retention = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan MaxQuiet = TimeSpan.FromMinutes(5);

    private static readonly Func<ShopDb, long, IAsyncEnumerable<GoodsChange>> ChangesAfter =
        CompiledPerContext.Of(() => EF.CompileAsyncQuery((ShopDb db, long seen) => db.Set<GoodsChange>().Where(c => c.Id > seen).OrderBy(c => c.Id).Take(BatchSize)));

    private readonly IServiceScopeFactory _scopes;
    private readonly DatabaseChanges _database;
    private readonly WriteGate _gate;
    private readonly ShopMetrics _metrics;
    private readonly ILogger<GoodsCache> _logger;
    private readonly bool _readEveryTime;
    private readonly SemaphoreSlim _syncing = new(1, 1);
    private readonly Queue<(long At, long Seen)> _history = new();
    private long _syncedAt = -1;
    private long _asked;
    private long _answered;
    private long _seen = -1;
    private long _lastSync;

    public GoodsCache(
        IServiceScopeFactory scopes, DatabaseOptions options, DatabaseChanges database, WriteGate gate, CacheLevels levels, ShopMetrics metrics, ILoggerFactory logs)
    {
        (_scopes, _database, _gate, _metrics, _logger) = (scopes, database, gate, metrics, logs.CreateLogger<GoodsCache>());
        // Only SQLite has a cheap "did anything commit?" (data_version); elsewhere every read
        // catches up with the log (one indexed query; concurrent reads share it).
        _readEveryTime = options.OnPostgres;
        ById = new ReadCache<Entry>("goods", levels.Create("goods", 10_000, GoodsCacheJson.Default), levels.Shared, metrics, _logger);
        // Pages are bigger than single goods (up to 100 each), so fewer are kept.
        Pages = new ReadCache<Page>("goods_pages", levels.Create("goods_pages", 1_000, GoodsCacheJson.Default), levels.Shared, metrics, _logger);
    }

    /// <summary>A goods as <c>GET /api/v1/goods/{id}</c> answers it.</summary>
    public sealed record Entry(GoodsResponse Body, string ETag);

    /// <summary>One page of a listing.</summary>
    public sealed record Page(List<GoodsResponse> Items, int Total);

    public ReadCache<Entry> ById { get; }
    public ReadCache<Page> Pages { get; }

    /// <summary>The goods (null: there is none) from the cache while no logged write retired it, else from <paramref name="load"/>.</summary>
    public async ValueTask<Entry?> GetAsync(long id, Func<CancellationToken, Task<Entry?>> load, CancellationToken cancellationToken) =>
        await ById.GetOrLoadAsync(Key(id), await CatchUpAsync(cancellationToken), load, cancellationToken);

    /// <summary>The page named by <paramref name="key"/> from the cache while no goods was written, else from <paramref name="load"/>.</summary>
    public async ValueTask<Page> GetPageAsync(string key, Func<CancellationToken, Task<Page?>> load, CancellationToken cancellationToken) =>
        (await Pages.GetOrLoadAsync(key, await CatchUpAsync(cancellationToken), load, cancellationToken))!;

    public static string Key(long id) => id.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// Reads the log rows committed since the last catch-up and retires what they name; returns the
    /// position reached (the stamp of what is loaded next), or null when the log cannot be read.
    /// </summary>
    public async ValueTask<long?> CatchUpAsync(CancellationToken cancellationToken)
    {
        long version = 0;
        if (!_readEveryTime)
        {
            // The change number is read BEFORE the log: a commit after this point changes it again.
            if (_database.Current() is not { } current)
            {
                return null;
            }
            version = current;
            if (Volatile.Read(ref _syncedAt) == version)
            {
                return Volatile.Read(ref _seen);
            }
        }
        // Catch-ups coalesce: a caller is served by any log read that began after it asked.
        var ticket = Interlocked.Increment(ref _asked);
        await _syncing.WaitAsync(cancellationToken);
        try
        {
            if (_answered < ticket && (_readEveryTime || _syncedAt != version))
            {
                var covers = Volatile.Read(ref _asked);
                await ReadLogAsync(cancellationToken);
                _lastSync = Stopwatch.GetTimestamp();
                _answered = covers;
                Volatile.Write(ref _syncedAt, version);
            }
            return _seen;
        }
        catch (DbException ex)
        {
            // A locked or broken database: reads bypass the cache and meet the real error themselves.
            _logger.Debug("The goods change log could not be read: {Error}", ex.Message);
            return null;
        }
        finally
        {
            _syncing.Release();
        }
    }

    private async Task ReadLogAsync(CancellationToken cancellationToken)
    {
        await using var scope = _scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ShopDb>();
        if (_seen < 0 || Stopwatch.GetElapsedTime(_lastSync) > MaxQuiet)
        {
            // At start (entries in Redis may predate it) or after a long pause (the rows may be pruned).
            var last = await db.Set<GoodsChange>().MaxAsync(c => (long?)c.Id, cancellationToken) ?? 0;
            ById.RetireAll(last);
            Pages.RetireAll(last);
            Volatile.Write(ref _seen, last);
            return;
        }
        while (true)
        {
            var rows = new List<GoodsChange>(0);
            await foreach (var row in ChangesAfter(db, _seen).WithCancellation(cancellationToken))
            {
                rows.Add(row);
            }
            if (rows.Count == 0)
            {
                return;
            }
            foreach (var row in rows)
            {
                if (row.GoodsId is { } id)
                {
                    ById.Retire(Key(id), row.Id);
                }
                else
                {
                    ById.RetireAll(row.Id);
                }
            }
            Pages.RetireAll(rows[^1].Id);
            _metrics.CacheInvalidationsReceived("goods", "change_log", rows.Count);
            Volatile.Write(ref _seen, rows[^1].Id);
            if (rows.Count < BatchSize)
            {
                return;
            }
        }
    }

    /// <summary>Once a minute: catches up (so a quiet process stays current) and prunes the log.</summary>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMinutes(1));
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await PruneAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is DbException or DbUpdateException)
            {
                _logger.Debug("The goods change log was not pruned: {Error}", ex.Message);
            }
        }
    }

    private async Task PruneAsync(CancellationToken cancellationToken)
    {
        if (await CatchUpAsync(cancellationToken) is not { } seen)
        {
            return;
        }
        var now = Stopwatch.GetTimestamp();
        _history.Enqueue((now, seen));
        long? below = null;
        while (_history.TryPeek(out var old) && Stopwatch.GetElapsedTime(old.At, now) > Retention)
        {
            below = _history.Dequeue().Seen;
        }
        if (below is { } last)
        {
            await using var scope = _scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<ShopDb>();
            using (await _gate.EnterAsync(cancellationToken))
            {
                await db.Set<GoodsChange>().Where(c => c.Id <= last).ExecuteDeleteAsync(cancellationToken);
            }
        }
    }

    /// <summary>
    /// After a write's commit: the goods' entries go from this process's memory and from Redis, and
    /// the backplane tells the other instances to drop theirs (in the background: a Redis that is
    /// away never holds up the answer, and the change log covers what it misses). A bulk write (an
    /// import batch) sends nothing per goods: two Redis commands per row would hold the import up,
    /// and the change log retires those entries at every instance's next read all the same.
    /// </summary>
    public void Written(IReadOnlyCollection<long> goodsIds)
    {
        if (goodsIds.Count > MaxRemovalsPerWrite)
        {
            return;
        }
        foreach (var id in goodsIds)
        {
            ById.Fusion.Remove(Key(id));
        }
    }
}
