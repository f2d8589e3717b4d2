using System.Collections.Concurrent;
using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.EntityFrameworkCore;
using Shop.Infrastructure;
using Shop.Infrastructure.Cache;
using Shop.Infrastructure.Data;
using Shop.Infrastructure.Logging;
using Shop.Infrastructure.Metrics;
using Shop.Rest;

namespace Shop.Features.Goods;

/// <summary>
/// The goods read caches — goods by id and listing pages — kept exact by the goods change log
/// (<see cref="GoodsChange"/>). A read uses the cache only after a catch-up with the log that began
/// at most <see cref="CacheOptions.Lag"/> (20 ms) before it: each new row retires that goods' entry
/// and the listing pages it can alter (<see cref="ListingChanges"/>): those showing the goods, and
/// those whose filters or sort read a field it changed; a goods created or deleted retires every page.
/// So an order, which changes only stock, leaves the pages of the default sort that do not show its goods.
/// Concurrent reads share one catch-up, so under load an instance reads the log a few dozen times
/// a second, not once per request. A write of this instance forces the next read to catch up, so
/// its own answers are never followed by an older version here; another instance or worker
/// process serves the new version at most that lag after the write was answered (well inside the
/// 50 ms the shop promises across instances; a lag of zero reads the log on every read). On SQLite a catch-up is one
/// <c>PRAGMA data_version</c> (<see cref="DatabaseChanges"/>), and a query of the log only after
/// a commit of any process on the file; elsewhere it is one indexed query of the log. A login, an
/// order accepted, an API key or a job writes no log row, so it retires nothing.
/// </summary>
/// <remarks>
/// The log is pruned: a row goes once this process saw it ten minutes ago. A process that has not
/// caught up for five minutes retires everything instead of reading the log (its rows may be gone).
/// </remarks>
public sealed class GoodsCache : BackgroundService
{
    private const int BatchSize = 1_000;
    private const int MaxRemovalsPerWrite = 100;
    private const int MaxUrls = 10_000;
    private const int MaxUrlLength = 1_024;
    private static readonly TimeSpan Retention = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan MaxQuiet = TimeSpan.FromMinutes(5);

    private static readonly Func<ShopDb, long, IAsyncEnumerable<GoodsChange>> ChangesAfter =
        CompiledPerContext.Of(() => EF.CompileAsyncQuery((ShopDb db, long seen) => db.Set<GoodsChange>().Where(c => c.Id > seen).OrderBy(c => c.Id).Take(BatchSize)));

    private readonly IServiceScopeFactory _scopes;
    private readonly DatabaseChanges _database;
    private readonly WriteGate _gate;
    private readonly ShopMetrics _metrics;
    private readonly ILogger<GoodsCache> _logger;
    private readonly bool _onPostgres;
    private readonly long _lagTicks;
    private readonly SemaphoreSlim _syncing = new(1, 1);
    private readonly Queue<(long At, long Seen)> _history = new();
    private long _syncedAt = -1;
    private long _seen = -1;
    private long _lastSync;
    // Stopwatch timestamps: when the last catch-up that completed began, and this process's last
    // committed write. A catch-up that began before a write does not vouch for reads after it.
    private long _caughtUpFrom = long.MinValue;
    private long _writtenAt = long.MinValue;
    private readonly ListingChanges _listings = new();
    // The url (path and query as sent) of each listing answer kept, to the key of its page.
    private readonly ConcurrentDictionary<string, string> _pageKeys = new(StringComparer.Ordinal);

    public GoodsCache(
        IServiceScopeFactory scopes, DatabaseOptions options, CacheOptions cache, DatabaseChanges database, WriteGate gate, CacheLevels levels, ShopMetrics metrics, ILoggerFactory logs)
    {
        (_scopes, _database, _gate, _metrics, _logger) = (scopes, database, gate, metrics, logs.CreateLogger<GoodsCache>());
        // Only SQLite has a cheap "did anything commit?" (data_version); elsewhere a catch-up reads the log.
        _onPostgres = options.OnPostgres;
        _lagTicks = (long)(cache.Lag.TotalSeconds * Stopwatch.Frequency);
        // Up to 20,000 goods (about 1 KB each in memory): a catalogue of 10,000 stays in memory whole,
        // with room to spare (a cache at its size limit refuses new entries until it compacts).
        ById = levels.Read<Entry>("goods", 20_000, GoodsCacheJson.Default, _logger);
        // Pages are bigger than single goods (up to 100 each), so fewer are kept.
        Pages = levels.Read<Page>("goods_pages", 1_000, GoodsCacheJson.Default, _logger,
            (page, stamp) => _listings.Unchanged(stamp, page.Items, page.ListedBy));
    }

    /// <summary>A goods as <c>GET /api/v1/goods/{id}</c> answers it.</summary>
    public sealed record Entry(GoodsResponse Body, string ETag)
    {
        private CachedAnswer? _answer;

        /// <summary>The answer's bytes, serialised once per entry in this process's memory (never stored in Redis).</summary>
        [JsonIgnore]
        public CachedAnswer Answer => _answer ??= new CachedAnswer(JsonSerializer.SerializeToUtf8Bytes(Body, GoodsJson.Wire.GoodsResponse), ETag);
    }

    /// <summary>One page of a listing, with the fields its filters and sort read (null: every field).</summary>
    public sealed record Page(List<GoodsResponse> Items, int Total, GoodsFields? ListedBy)
    {
        // A page is asked for by a few spellings of its query at most (page= or offset=, a fields list).
        private const int MaxAnswers = 4;

        private byte[]? _itemsJson;
        private readonly ConcurrentDictionary<string, CachedAnswer> _answers = new(StringComparer.Ordinal);
        private int _served;

        /// <summary>The items' JSON array, serialised once per page in this process's memory (never stored in Redis).</summary>
        [JsonIgnore]
        public byte[] ItemsJson => _itemsJson ??= PagedResult<GoodsResponse>.ItemsJson(Items, GoodsJson.Wire.GoodsResponse);

        /// <summary>The whole JSON answer to the request for <paramref name="url"/> (path and query as sent), when this page made one.</summary>
        public CachedAnswer? AnswerFor(string url) => _answers.GetValueOrDefault(url);

        /// <summary>
        /// True from the second time this page is served: a page read once (a one-off search, the
        /// first read after a write) keeps no answer, so memory holds answers only of pages read again.
        /// </summary>
        public bool ServedBefore() => Interlocked.Exchange(ref _served, 1) == 1;

        /// <summary>Keeps the answer for <paramref name="url"/>, in this process's memory only, for as long as the page lives.</summary>
        public void Remember(string url, CachedAnswer answer)
        {
            if (_answers.Count < MaxAnswers)
            {
                _answers.TryAdd(url, answer);
            }
        }
    }

    public ReadCache<Entry> ById { get; }
    public ReadCache<Page> Pages { get; }

    /// <summary>The goods (null: there is none) from the cache while no logged write retired it, else from <paramref name="load"/>.</summary>
    public async ValueTask<Entry?> GetAsync(long id, Func<CancellationToken, Task<Entry?>> load, CancellationToken cancellationToken) =>
        await ById.GetOrLoadAsync(Key(id), await CatchUpAsync(cancellationToken), load, cancellationToken);

    /// <summary>The goods's answer when a current entry of it is in this process's memory, else null (nothing is loaded).</summary>
    public async ValueTask<CachedAnswer?> FindInMemoryAsync(long id, CancellationToken cancellationToken) =>
        await CatchUpAsync(cancellationToken) is not null ? ById.FindInMemory(Key(id), cancellationToken)?.Answer : null;

    /// <summary>
    /// The answer to a listing request for <paramref name="url"/> (path and query as sent) when the
    /// page it showed is current in this process's memory and kept that answer, else null (nothing
    /// is loaded). The url names its page through a map that the usual path fills
    /// (<see cref="RememberAnswer"/>), so no query is parsed here.
    /// </summary>
    public async ValueTask<CachedAnswer?> FindPageInMemoryAsync(string url, CancellationToken cancellationToken) =>
        _pageKeys.TryGetValue(url, out var key) && await CatchUpAsync(cancellationToken) is not null
            ? Pages.FindInMemory(key, cancellationToken, page => page.AnswerFor(url) is not null)?.AnswerFor(url)
            : null;

    /// <summary>Keeps <paramref name="page"/>'s answer to <paramref name="url"/> for <see cref="FindPageInMemoryAsync"/>.</summary>
    public void RememberAnswer(string url, string key, Page page, CachedAnswer answer)
    {
        if (url.Length > MaxUrlLength)
        {
            return;
        }
        if (_pageKeys.Count >= MaxUrls)
        {
            // Many distinct queries: start again rather than keep them all (the pages stay cached).
            _pageKeys.Clear();
        }
        _pageKeys[url] = key;
        page.Remember(url, answer);
    }

    /// <summary>The page named by <paramref name="key"/> from the cache while no goods was written, else from <paramref name="load"/>.</summary>
    public async ValueTask<Page> GetPageAsync(string key, Func<CancellationToken, Task<Page?>> load, CancellationToken cancellationToken) =>
        (await Pages.GetOrLoadAsync(key, await CatchUpAsync(cancellationToken), load, cancellationToken))!;

    public static string Key(long id) => id.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// The position in the log that reads may use now (the stamp of what is loaded next): that of a
    /// catch-up begun less than the lag ago and after this process's last write, else
    /// of a new one (or of one that began while this caller waited). Null when the log cannot be read.
    /// </summary>
    public async ValueTask<long?> CatchUpAsync(CancellationToken cancellationToken)
    {
        var asked = Stopwatch.GetTimestamp();
        if (Trusted(asked))
        {
            return Volatile.Read(ref _seen);
        }
        await _syncing.WaitAsync(cancellationToken);
        try
        {
            // Served by a catch-up that began after this caller asked: it saw every earlier commit.
            if (Volatile.Read(ref _caughtUpFrom) >= asked)
            {
                return _seen;
            }
            var began = Stopwatch.GetTimestamp();
            long version = 0;
            if (!_onPostgres)
            {
                // The change number is read BEFORE the log: a commit after this point changes it again.
                if (_database.Current() is not { } current)
                {
                    return null;
                }
                version = current;
            }
            if (_onPostgres || _syncedAt != version)
            {
                await ReadLogAsync(cancellationToken);
                _lastSync = Stopwatch.GetTimestamp();
                _syncedAt = version;
            }
            Volatile.Write(ref _caughtUpFrom, began);
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

    private bool Trusted(long now)
    {
        var from = Volatile.Read(ref _caughtUpFrom);
        return now - from < _lagTicks && from > Volatile.Read(ref _writtenAt);
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
            long? everyPage = null;
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
                if (row is { GoodsId: { } goodsId, Fields: { } fields })
                {
                    _listings.Changed(goodsId, fields, row.Id);
                }
                else
                {
                    everyPage = row.Id;
                }
            }
            var overflow = _listings.Count > ListingChanges.MaxGoods;
            if ((overflow ? rows[^1].Id : everyPage) is { } sequence)
            {
                Pages.RetireAll(sequence);
            }
            if (overflow)
            {
                _listings.Clear();
            }
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
        await PoolContinuations.Enter();
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
    /// After a write's commit, before its answer: this process's next read catches up with the log
    /// first; the goods' entries go from this process's memory and from Redis, and the backplane
    /// tells the other instances to drop theirs (in the background: a Redis that is away never
    /// holds up the answer, and the change log covers what it misses). A bulk write (an import
    /// batch) sends nothing per goods: two Redis commands per row would hold the import up, and the
    /// change log retires those entries at every instance's next catch-up all the same.
    /// </summary>
    public void Written(IReadOnlyCollection<long> goodsIds)
    {
        InterlockedMax(ref _writtenAt, Stopwatch.GetTimestamp());
        if (goodsIds.Count > MaxRemovalsPerWrite)
        {
            return;
        }
        foreach (var id in goodsIds)
        {
            ById.Fusion.Remove(Key(id));
        }
    }

    private static void InterlockedMax(ref long location, long value)
    {
        for (var known = Volatile.Read(ref location); known < value;)
        {
            var seen = Interlocked.CompareExchange(ref location, value, known);
            if (seen == known)
            {
                return;
            }
            known = seen;
        }
    }
}
