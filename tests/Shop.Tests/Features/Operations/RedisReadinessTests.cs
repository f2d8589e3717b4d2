using System.Net;
using Shop.Tests.Features.Goods;

namespace Shop.Tests.Features.Operations;

/// <summary>Redis configured and away: <c>/readyz</c> names it, while reads and writes go on from memory and the database.</summary>
public sealed class RedisReadinessTests : IOnPostgres
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ReadinessNamesRedisWhileItIsDownAndReadsAndWritesGoOn()
    {
        // A Redis of this test's own, as it is stopped.
        await using var redis = await RedisServer.StartAsync();
        await using var shop = await ShopApp.StartAsync(s => s with { Redis = redis.Address });
        using var admin = shop.AdminClient();
        var id = (long)(await GoodsApiTests.CreateAsync(admin, "REDIS-DOWN"))["id"]!;
        var ready = await shop.Client.GetAsync("/readyz", Ct);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal("ok", (string?)(await ready.ReadJsonAsync())["checks"]!["redis"]);

        await redis.StopAsync();
        await Poll.UntilAsync(async () => (await shop.Client.GetAsync("/readyz", Ct)).StatusCode == HttpStatusCode.ServiceUnavailable, "readiness to see Redis gone");
        await (await shop.Client.GetAsync("/readyz", Ct)).AssertProblemAsync(503, "Not ready: redis is down");

        var patch = new HttpRequestMessage(HttpMethod.Patch, $"/api/v1/goods/{id}") { Content = Http.Json("""{"name":"Written without Redis"}""") };
        Assert.Equal(HttpStatusCode.OK, (await admin.SendAsync(patch, Ct)).StatusCode);
        Assert.Contains("Written without Redis", await shop.Client.GetStringAsync($"/api/v1/goods/{id}", Ct), StringComparison.Ordinal);
        await GoodsApiTests.CreateAsync(admin, "REDIS-DOWN-2");
        Assert.Equal(HttpStatusCode.OK, (await shop.Client.GetAsync("/api/v1/goods?per_page=5", Ct)).StatusCode);

        await redis.StartAgainAsync();
        await Poll.UntilAsync(async () => (await shop.Client.GetAsync("/readyz", Ct)).StatusCode == HttpStatusCode.OK, "readiness to see Redis back");
    }
}
