using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;

namespace Shop.Tests.Features.Goods;

/// <summary>The in-process cache behind <c>GET /api/v1/goods/{id}</c>: used while nothing changed, never stale.</summary>
public sealed class GoodsCacheTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<(double Hits, double Misses)> CountsAsync(ShopApp shop, string cache = "goods")
    {
        var samples = await PrometheusText.ScrapeAsync(shop.Client);
        double Count(string name) => samples.Where(name, ("cache", cache)).Sum(s => s.Value);
        return (Count("shop_cache_hits_total"), Count("shop_cache_misses_total"));
    }

    private static async Task<JsonNode> GetAsync(ShopApp shop, long id) =>
        JsonNode.Parse(await shop.Client.GetStringAsync($"/api/v1/goods/{id}", Ct))!;

    [Fact]
    public async Task ARepeatedReadIsServedFromTheCacheUntilSomethingIsCommitted()
    {
        await using var shop = await ShopApp.StartAsync();
        using var admin = shop.AdminClient();
        var id = (long)(await GoodsApiTests.CreateAsync(admin, "CACHED-1"))["id"]!;

        await GetAsync(shop, id);
        var before = await CountsAsync(shop);
        var second = await shop.Client.GetAsync($"/api/v1/goods/{id}", Ct);
        var third = await shop.Client.GetAsync($"/api/v1/goods/{id}", Ct);
        var after = await CountsAsync(shop);

        Assert.Equal((before.Hits + 2, before.Misses), after);
        Assert.Equal(await second.Content.ReadAsStringAsync(Ct), await third.Content.ReadAsStringAsync(Ct));
        Assert.Equal(second.Headers.ETag, third.Headers.ETag);

        var patch = new HttpRequestMessage(HttpMethod.Patch, $"/api/v1/goods/{id}") { Content = Http.Json("""{"name":"Renamed"}""") };
        Assert.Equal(HttpStatusCode.OK, (await admin.SendAsync(patch, Ct)).StatusCode);
        Assert.Equal("Renamed", (string?)(await GetAsync(shop, id))["name"]);
        Assert.Equal(after.Misses + 1, (await CountsAsync(shop)).Misses);
    }

    [Fact]
    public async Task AChangeCommittedOutsideTheServiceIsSeenAtOnce()
    {
        await using var shop = await ShopApp.StartAsync();
        using var admin = shop.AdminClient();
        var id = (long)(await GoodsApiTests.CreateAsync(admin, "CACHED-2"))["id"]!;
        await GetAsync(shop, id);
        var before = await CountsAsync(shop);
        await GetAsync(shop, id);
        Assert.Equal(before.Hits + 1, (await CountsAsync(shop)).Hits); // The entry is in the cache now.

        // Another process sharing the file (or anyone with sqlite3) changes the row without telling
        // the service, and without even changing its version.
        await using (var other = new SqliteConnection($"Data Source={shop.Settings.Database};Pooling=False"))
        {
            await other.OpenAsync(Ct);
            await using var update = other.CreateCommand();
            update.CommandText = "UPDATE goods SET Name = 'Changed elsewhere', Stock = 77 WHERE Id = $id";
            update.Parameters.AddWithValue("$id", id);
            Assert.Equal(1, await update.ExecuteNonQueryAsync(Ct));
        }

        var seen = await GetAsync(shop, id);
        Assert.Equal("Changed elsewhere", (string?)seen["name"]);
        Assert.Equal(77, (int)seen["stock"]!);
    }

    [Fact]
    public async Task StockTakenByAnOrderIsSeenOnTheNextRead()
    {
        await using var shop = await ShopApp.StartAsync();
        using var admin = shop.AdminClient();
        var id = (long)(await GoodsApiTests.CreateAsync(admin, "CACHED-3", stock: 10))["id"]!;
        Assert.Equal(10, (int)(await GetAsync(shop, id))["stock"]!);
        using var customer = await shop.SignInAsync("gina");

        var placed = await customer.PostAsync("/api/v1/orders", Http.Json($$"""{"items":[{"goods_id":{{id}},"quantity":3}]}"""), Ct);
        Assert.Equal(HttpStatusCode.Accepted, placed.StatusCode);
        Assert.Equal("confirmed", (string?)(await OrderTesting.WaitUntilDoneAsync(customer, placed.Headers.Location!.OriginalString))["status"]);

        Assert.Equal(7, (int)(await GetAsync(shop, id))["stock"]!);
    }

    [Fact]
    public async Task AGoodsThatDoesNotExistIsNotCached()
    {
        await using var shop = await ShopApp.StartAsync();
        await (await shop.Client.GetAsync("/api/v1/goods/424242", Ct)).AssertProblemAsync(404);
        var before = await CountsAsync(shop);

        await (await shop.Client.GetAsync("/api/v1/goods/424242", Ct)).AssertProblemAsync(404);
        await (await shop.Client.GetAsync("/api/v1/goods/424242", Ct)).AssertProblemAsync(404);

        Assert.Equal((before.Hits, before.Misses + 2), await CountsAsync(shop));
    }

    [Fact]
    public async Task AListingPageIsCachedPerQueryAndNeverStale()
    {
        await using var shop = await ShopApp.StartAsync();
        using var admin = shop.AdminClient();
        await GoodsApiTests.CreateAsync(admin, "PAGE-1", name: "Green tea", category: "tea");
        await GoodsApiTests.CreateAsync(admin, "PAGE-2", name: "Black tea", category: "tea");
        const string query = "/api/v1/goods?category=tea&sort=-name&per_page=1";
        async Task<(string Body, string? Total)> ListAsync(string path)
        {
            var response = await shop.Client.GetAsync(path, Ct);
            return (await response.Content.ReadAsStringAsync(Ct), response.Headers.GetValues("X-Total-Count").Single());
        }

        var first = await ListAsync(query);
        var before = await CountsAsync(shop, "goods_pages");
        Assert.Equal(first, await ListAsync(query));
        Assert.Equal(before.Hits + 1, (await CountsAsync(shop, "goods_pages")).Hits);
        // Another query is another entry, not the cached page.
        Assert.Contains("Black tea", (await ListAsync("/api/v1/goods?category=tea&sort=name&per_page=1")).Body, StringComparison.Ordinal);

        await using (var other = new SqliteConnection($"Data Source={shop.Settings.Database};Pooling=False"))
        {
            await other.OpenAsync(Ct);
            await using var insert = other.CreateCommand();
            insert.CommandText = """
                INSERT INTO goods (Sku, Name, NameFolded, Description, PriceCents, Stock, Category, CreatedAt, UpdatedAt, Version)
                VALUES ('PAGE-3', 'White tea', 'white tea', '', 100, 1, 'tea', '2026-12-01 00:00:00', '2026-12-01 00:00:00', 1)
                """;
            await insert.ExecuteNonQueryAsync(Ct);
        }

        var after = await ListAsync(query);
        Assert.Equal("3", after.Total);
        Assert.Contains("White tea", after.Body, StringComparison.Ordinal);
    }
}
