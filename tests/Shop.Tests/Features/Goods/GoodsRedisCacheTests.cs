namespace Shop.Tests.Features.Goods;

/// <summary>Redis as the goods caches' L2: shared by the instances, and never trusted beyond the change log.</summary>
public abstract class GoodsRedisCacheTests
{
    public sealed class OnSqlite : GoodsRedisCacheTests;

    public sealed class OnPostgres : GoodsRedisCacheTests, IOnPostgres;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<double> CountAsync(ShopApp shop, string name, string level)
    {
        var samples = await PrometheusText.ScrapeAsync(shop.Client);
        return samples.Where(name, ("cache", "goods"), ("level", level)).Sum(s => s.Value);
    }

    [Fact]
    public async Task AGoodsOneInstanceLoadedIsARedisHitOnTheOtherUntilItIsWritten()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var shared = await TestDatabase.CreateAsync();
        await using var a = await ShopApp.StartAsync(s => s with { Database = shared.Setting, Redis = redis.Address });
        // cache_lag_ms = 0, so that B's read right after A's write must see it.
        await using var b = await ShopApp.StartAsync(s => s with { Database = shared.Setting, Redis = redis.Address, CacheLag = TimeSpan.Zero });
        using var admin = a.AdminClient();
        var id = (long)(await GoodsApiTests.CreateAsync(admin, "SHARED-L2"))["id"]!;
        await a.Client.GetStringAsync($"/api/v1/goods/{id}", Ct);

        // A's load reaches Redis in the background: B finds it there (an L2 hit), then in its memory.
        await Poll.UntilAsync(async () =>
        {
            await b.Client.GetStringAsync($"/api/v1/goods/{id}", Ct);
            return await CountAsync(b, "shop_cache_hits_total", "l2") >= 1;
        }, "an L2 hit on B");
        var l1 = await CountAsync(b, "shop_cache_hits_total", "l1");
        await b.Client.GetStringAsync($"/api/v1/goods/{id}", Ct);
        Assert.Equal(l1 + 1, await CountAsync(b, "shop_cache_hits_total", "l1"));

        var patch = new HttpRequestMessage(HttpMethod.Patch, $"/api/v1/goods/{id}") { Content = Http.Json("""{"name":"Rewritten"}""") };
        Assert.True((await admin.SendAsync(patch, Ct)).IsSuccessStatusCode);
        Assert.Contains("Rewritten", await b.Client.GetStringAsync($"/api/v1/goods/{id}", Ct), StringComparison.Ordinal);
        var samples = await PrometheusText.ScrapeAsync(b.Client);
        Assert.Equal(1, samples.Where("shop_redis_up").Single().Value);
    }
}
