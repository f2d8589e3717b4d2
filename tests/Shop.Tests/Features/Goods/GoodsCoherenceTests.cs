using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Shop.Features.Goods;
using Shop.Infrastructure.Data;

namespace Shop.Tests.Features.Goods;

/// <summary>
/// Two instances on one database (and one Redis): while instance A writes a goods in every way there
/// is, instance B is read in a tight loop, and no read of B that starts 50 ms after A answered
/// returns what the goods was before.
/// </summary>
public abstract class GoodsCoherenceTests
{
    public sealed class OnSqlite : GoodsCoherenceTests;

    public sealed class OnPostgres : GoodsCoherenceTests, IOnPostgres;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private static readonly TimeSpan Grace = TimeSpan.FromMilliseconds(50);

    [Fact]
    public async Task TwoInstancesOnOneDatabaseWithoutRedisNeverServeAnOldVersionAfterAWriteIsAnswered()
    {
        await using var shared = await TestDatabase.CreateAsync();
        // Without Redis (even on PostgreSQL, where the suite's instances have one): the change log alone.
        await using var a = await ShopApp.StartAsync(s => s with { Database = shared.Setting, Redis = null });
        await using var b = await ShopApp.StartAsync(s => s with { Database = shared.Setting, Redis = null });
        await WriteWhileReadingAsync(a, b);
    }

    [Fact]
    public async Task TwoInstancesOnOneDatabaseAndOneRedisNeverServeAnOldVersionAfterAWriteIsAnswered()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var shared = await TestDatabase.CreateAsync();
        await using var a = await ShopApp.StartAsync(s => s with { Database = shared.Setting, Redis = redis.Address });
        await using var b = await ShopApp.StartAsync(s => s with { Database = shared.Setting, Redis = redis.Address });
        await WriteWhileReadingAsync(a, b);
    }

    [Fact]
    public async Task WithRedisStoppedAndStartedAgainInTheMiddleNoReadFailsAndNoneIsStale()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var shared = await TestDatabase.CreateAsync();
        await using var a = await ShopApp.StartAsync(s => s with { Database = shared.Setting, Redis = redis.Address });
        await using var b = await ShopApp.StartAsync(s => s with { Database = shared.Setting, Redis = redis.Address });

        await WriteWhileReadingAsync(a, b, async step =>
        {
            if (step == 2)
            {
                // What B cached so far stays in Redis's file, and comes back stale with it.
                await redis.StopAsync();
                await b.WaitForLogAsync(l => l.Contains(" - WARNING - ", StringComparison.Ordinal) && l.Contains("is unreachable", StringComparison.Ordinal));
            }
            if (step == 5)
            {
                await redis.StartAgainAsync();
                await b.WaitForLogAsync(l => l.Contains(" - INFO - ", StringComparison.Ordinal) && l.Contains("is back", StringComparison.Ordinal));
            }
        });

        var lines = await b.WaitForLogAsync(l => l.Contains("is back", StringComparison.Ordinal));
        Assert.Single(lines, l => l.Contains("Redis at", StringComparison.Ordinal) && l.Contains(" - WARNING - ", StringComparison.Ordinal));
        Assert.Single(lines, l => l.Contains("Redis at", StringComparison.Ordinal) && l.Contains(" - INFO - ", StringComparison.Ordinal));
    }

    /// <summary>
    /// PATCH, PUT, an import, an order confirmed, its cancellation, another PATCH and a DELETE on A,
    /// with <paramref name="between"/> called after each write (its number, from 1).
    /// </summary>
    private static async Task WriteWhileReadingAsync(ShopApp a, ShopApp b, Func<int, Task>? between = null)
    {
        using var admin = a.AdminClient();
        var id = (long)(await GoodsApiTests.CreateAsync(admin, "COHERENT-1", stock: 10))["id"]!;
        using var customer = await a.SignInAsync("coherent");
        string? order = null;
        var writes = new (string What, Func<Task> Write)[]
        {
            ("PATCH", () => SendAsync(admin, HttpMethod.Patch, $"/api/v1/goods/{id}", """{"name":"Patched"}""")),
            ("PUT", () => SendAsync(admin, HttpMethod.Put, $"/api/v1/goods/{id}", """{"sku":"COHERENT-1","name":"Put","price":2.50,"stock":10}""")),
            ("import", async () => Assert.Equal("succeeded", (string?)(await GoodsImportTests.ImportAsync(admin, "sku,name,price\nCOHERENT-1,Imported,3.00\n", "text/csv"))["status"])),
            ("order confirmed", async () =>
            {
                order = await OrderTesting.PlaceAcceptedAsync(customer, (id, 2));
                Assert.Equal("confirmed", (string?)(await OrderTesting.WaitUntilDoneAsync(customer, order))["status"]);
            }),
            ("cancel", () => SendAsync(customer, HttpMethod.Patch, order!, """{"status":"cancelled"}""")),
            ("PATCH again", () => SendAsync(admin, HttpMethod.Patch, $"/api/v1/goods/{id}", """{"stock":3}""")),
            ("DELETE", () => SendAsync(admin, HttpMethod.Delete, $"/api/v1/goods/{id}", null)),
        };

        await using var reader = new Reader(b.Client, id);
        var answered = new List<(string What, long At, int Version)>();
        for (var step = 0; step < writes.Length; step++)
        {
            await writes[step].Write();
            var at = Stopwatch.GetTimestamp();
            answered.Add((writes[step].What, at, await VersionAsync(a, id)));
            // Enough of B's reads after the grace period to have met an old version if there were one.
            await Poll.UntilAsync(() => reader.CountStartedAfter(at + Ticks(Grace)) >= 5, $"B's reads after the {writes[step].What}");
            if (between is not null)
            {
                await between(step + 1);
            }
        }
        var reads = reader.Stop();

        Assert.DoesNotContain(reads, r => r.Status >= 500);
        foreach (var (what, at, version) in answered)
        {
            var stale = reads.Where(r => r.StartedAt > at + Ticks(Grace) && r.Version < version).ToList();
            Assert.True(stale.Count == 0,
                $"{stale.Count} reads of B began over {Grace.TotalMilliseconds} ms after A answered the {what} (version {version}) and got an older version, the first {stale.FirstOrDefault()}");
        }
    }

    private static long Ticks(TimeSpan span) => (long)(span.TotalSeconds * Stopwatch.Frequency);

    private static async Task SendAsync(HttpClient client, HttpMethod method, string path, string? json)
    {
        using var request = new HttpRequestMessage(method, path);
        if (json is not null)
        {
            request.Content = Http.Json(json, method == HttpMethod.Patch ? "application/merge-patch+json" : "application/json");
        }
        using var response = await client.SendAsync(request, Ct);
        Assert.True(response.IsSuccessStatusCode, $"{method} {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(Ct)}");
    }

    /// <summary>The goods' version in the database; int.MaxValue once it is deleted (a 404 is newer than any version).</summary>
    private static async Task<int> VersionAsync(ShopApp shop, long id)
    {
        await using var scope = shop.App.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<ShopDb>().Set<GoodsItem>()
            .Where(g => g.Id == id).Select(g => (int?)g.Version).FirstOrDefaultAsync(Ct) ?? int.MaxValue;
    }

    private sealed record Read(long StartedAt, int Status, int Version);

    /// <summary>Reads one goods from an instance in a tight loop until stopped.</summary>
    private sealed class Reader : IAsyncDisposable
    {
        private readonly List<Read> _reads = [];
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _loop;

        public Reader(HttpClient client, long id) => _loop = Task.Run(() => LoopAsync(client, id));

        private async Task LoopAsync(HttpClient client, long id)
        {
            while (!_stop.IsCancellationRequested)
            {
                var started = Stopwatch.GetTimestamp();
                Read read;
                try
                {
                    using var response = await client.GetAsync($"/api/v1/goods/{id}", _stop.Token);
                    var status = (int)response.StatusCode;
                    read = new Read(started, status, status switch
                    {
                        200 => int.Parse(response.Headers.ETag!.Tag.Trim('"').Split('-')[1], System.Globalization.CultureInfo.InvariantCulture),
                        404 => int.MaxValue,
                        _ => -1,
                    });
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                lock (_reads)
                {
                    _reads.Add(read);
                }
            }
        }

        public int CountStartedAfter(long at)
        {
            lock (_reads)
            {
                return _reads.Count(r => r.StartedAt > at);
            }
        }

        public List<Read> Stop()
        {
            _stop.Cancel();
            lock (_reads)
            {
                return [.. _reads];
            }
        }

        public async ValueTask DisposeAsync()
        {
            _stop.Cancel();
            await _loop;
            _stop.Dispose();
        }
    }
}
