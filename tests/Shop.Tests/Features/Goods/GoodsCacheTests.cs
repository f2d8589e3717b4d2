using System.Net;
using System.Text.Json.Nodes;

namespace Shop.Tests.Features.Goods;

/// <summary>The cache behind <c>GET /api/v1/goods/{id}</c> and the listing: used until a write retires exactly what it changed, never stale.</summary>
public abstract class GoodsCacheTests
{
    public sealed class OnSqlite : GoodsCacheTests;

    public sealed class OnPostgres : GoodsCacheTests, IOnPostgres;

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
    public async Task ARepeatedReadIsServedFromTheCacheUntilTheGoodsIsWritten()
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
    public async Task WithNoCacheLagAWriteOfAnotherInstanceOnTheSameDatabaseIsSeenAtOnce()
    {
        await using var shared = await TestDatabase.CreateAsync();
        var database = shared.Setting;
        // cache_lag_ms = 0: the reader checks the change log on every read.
        await using var reader = await ShopApp.StartAsync(s => s with { Database = database, CacheLag = TimeSpan.Zero });
        await using var writer = await ShopApp.StartAsync(s => s with { Database = database });
        using var admin = writer.AdminClient();
        var id = (long)(await GoodsApiTests.CreateAsync(admin, "CACHED-2"))["id"]!;
        await GetAsync(reader, id);
        var before = await CountsAsync(reader);
        await GetAsync(reader, id);
        Assert.Equal(before.Hits + 1, (await CountsAsync(reader)).Hits); // The entry is in the reader's cache now.

        var patch = new HttpRequestMessage(HttpMethod.Patch, $"/api/v1/goods/{id}") { Content = Http.Json("""{"name":"Changed elsewhere","stock":77}""") };
        Assert.Equal(HttpStatusCode.OK, (await admin.SendAsync(patch, Ct)).StatusCode);

        var seen = await GetAsync(reader, id);
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
    public async Task AGoodsThatDoesNotExistIsCachedAsAbsentUntilItIsCreated()
    {
        await using var shop = await ShopApp.StartAsync();
        using var admin = shop.AdminClient();
        await (await shop.Client.GetAsync("/api/v1/goods/1", Ct)).AssertProblemAsync(404);
        var before = await CountsAsync(shop);

        await (await shop.Client.GetAsync("/api/v1/goods/1", Ct)).AssertProblemAsync(404);
        Assert.Equal((before.Hits + 1, before.Misses), await CountsAsync(shop));

        Assert.Equal(1, (long)(await GoodsApiTests.CreateAsync(admin, "ABSENT-1"))["id"]!);
        Assert.Equal("ABSENT-1", (string?)(await GetAsync(shop, 1))["sku"]);
    }

    [Fact]
    public async Task ALoginAPendingOrderAndAWriteToOtherGoodsLeaveACachedGoodsAHit()
    {
        // No worker: the order stays pending, and nothing but the PATCH below writes goods.
        await using var shop = await ShopApp.StartAsync(s => s with { QueueWorker = false });
        using var admin = shop.AdminClient();
        var x = (long)(await GoodsApiTests.CreateAsync(admin, "PRECISE-X"))["id"]!;
        var y = (long)(await GoodsApiTests.CreateAsync(admin, "PRECISE-Y"))["id"]!;
        await GetAsync(shop, x);
        await GetAsync(shop, y);
        var before = await CountsAsync(shop);

        using var customer = await shop.SignInAsync("precise");
        await ShopApp.CreateApiKeyAsync(customer);
        var placed = await customer.PostAsync("/api/v1/orders", Http.Json($$"""{"items":[{"goods_id":{{x}},"quantity":1}]}"""), Ct);
        Assert.Equal(HttpStatusCode.Accepted, placed.StatusCode);
        var patch = new HttpRequestMessage(HttpMethod.Patch, $"/api/v1/goods/{x}") { Content = Http.Json("""{"name":"Only X"}""") };
        Assert.Equal(HttpStatusCode.OK, (await admin.SendAsync(patch, Ct)).StatusCode);

        Assert.Equal("Tea", (string?)(await GetAsync(shop, y))["name"]);
        var afterY = await CountsAsync(shop);
        Assert.Equal((before.Hits + 1, before.Misses), afterY);
        Assert.Equal("Only X", (string?)(await GetAsync(shop, x))["name"]);
        Assert.Equal(afterY.Misses + 1, (await CountsAsync(shop)).Misses);
    }

    [Fact]
    public async Task AListingPageIsCachedPerQueryAndWithNoCacheLagNeverStale()
    {
        await using var shared = await TestDatabase.CreateAsync();
        await using var shop = await ShopApp.StartAsync(s => s with { Database = shared.Setting, CacheLag = TimeSpan.Zero });
        await using var other = await ShopApp.StartAsync(s => s with { Database = shared.Setting });
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

        // Another instance on the database adds a goods that belongs on the cached page.
        using var otherAdmin = other.AdminClient();
        await GoodsApiTests.CreateAsync(otherAdmin, "PAGE-3", name: "White tea", category: "tea");

        var after = await ListAsync(query);
        Assert.Equal("3", after.Total);
        Assert.Contains("White tea", after.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AChangedGoodsRetiresOnlyThePagesThatShowItOrFilterOrSortByWhatChanged()
    {
        await using var shared = await TestDatabase.CreateAsync();
        await using var shop = await ShopApp.StartAsync(s => s with { Database = shared.Setting, CacheLag = TimeSpan.Zero });
        // Writes come from another instance: the pages learn of them from the change log alone.
        await using var other = await ShopApp.StartAsync(s => s with { Database = shared.Setting });
        using var admin = other.AdminClient();
        var a = (long)(await GoodsApiTests.CreateAsync(admin, "LISTED-A", price: 5m, stock: 50, name: "Assam"))["id"]!;
        var b = (long)(await GoodsApiTests.CreateAsync(admin, "LISTED-B", price: 1m, stock: 1, name: "Bancha"))["id"]!;
        string[] pages = ["/api/v1/goods?per_page=1", "/api/v1/goods?sort=-stock&per_page=1", "/api/v1/goods?sort=-price&per_page=1", "/api/v1/goods?in_stock=true&per_page=1"];
        async Task<(string[] Names, double Hits)> ListAsync()
        {
            var before = (await CountsAsync(shop, "goods_pages")).Hits;
            var names = new List<string>();
            foreach (var path in pages)
            {
                names.Add((string)JsonNode.Parse(await shop.Client.GetStringAsync(path, Ct))!["items"]!.AsArray().Single()!["name"]!);
            }
            return ([.. names], (await CountsAsync(shop, "goods_pages")).Hits - before);
        }
        async Task<(string[] Names, double Hits)> ListAfterAsync(string changeOfB)
        {
            var patch = new HttpRequestMessage(HttpMethod.Patch, $"/api/v1/goods/{b}") { Content = Http.Json(changeOfB) };
            Assert.Equal(HttpStatusCode.OK, (await admin.SendAsync(patch, Ct)).StatusCode);
            return await ListAsync();
        }
        Assert.Equal(["Assam", "Assam", "Assam", "Assam"], (await ListAsync()).Names);

        // A description (no listing reads it) of a goods that none of the pages shows: all four stay cached.
        var (names, hits) = await ListAfterAsync("""{"description":"Steamed"}""");
        Assert.Equal(["Assam", "Assam", "Assam", "Assam"], names);
        Assert.Equal(4, hits);

        // Stock, as an order changes it: the stock-sorted page now shows B, the in_stock page is
        // read again (B stays in stock, so it still shows A); the id- and price-sorted pages stay cached.
        (names, hits) = await ListAfterAsync("""{"stock":500}""");
        Assert.Equal(["Assam", "Bancha", "Assam", "Assam"], names);
        Assert.Equal(2, hits);

        // Price moves B to the top of the price-sorted page; the stock-sorted page shows B, so it
        // is read again too; the id-sorted and in_stock pages stay cached.
        (names, hits) = await ListAfterAsync("""{"price":9}""");
        Assert.Equal(["Assam", "Bancha", "Bancha", "Assam"], names);
        Assert.Equal(2, hits);

        // A goods shown on a page retires that page whatever changed: the new name is seen.
        var rename = new HttpRequestMessage(HttpMethod.Patch, $"/api/v1/goods/{a}") { Content = Http.Json("""{"description":"Malty"}""") };
        Assert.Equal(HttpStatusCode.OK, (await admin.SendAsync(rename, Ct)).StatusCode);
        var first = JsonNode.Parse(await shop.Client.GetStringAsync(pages[0], Ct))!["items"]!.AsArray().Single()!;
        Assert.Equal("Malty", (string?)first["description"]);
    }

    [Fact]
    public async Task AnOrderRetiresThePageThatShowsItsGoodsAndLeavesTheOthersCached()
    {
        await using var shop = await ShopApp.StartAsync();
        using var admin = shop.AdminClient();
        var a = (long)(await GoodsApiTests.CreateAsync(admin, "ORDERED-A", stock: 10))["id"]!;
        await GoodsApiTests.CreateAsync(admin, "ORDERED-B", stock: 10);
        async Task<long> StockOnPageAsync(int page) =>
            (long)JsonNode.Parse(await shop.Client.GetStringAsync($"/api/v1/goods?per_page=1&page={page}", Ct))!["items"]!.AsArray().Single()!["stock"]!;
        Assert.Equal(10, await StockOnPageAsync(1));
        Assert.Equal(10, await StockOnPageAsync(2));
        using var customer = await shop.SignInAsync("lister");

        var placed = await customer.PostAsync("/api/v1/orders", Http.Json($$"""{"items":[{"goods_id":{{a}},"quantity":3}]}"""), Ct);
        Assert.Equal(HttpStatusCode.Accepted, placed.StatusCode);
        Assert.Equal("confirmed", (string?)(await OrderTesting.WaitUntilDoneAsync(customer, placed.Headers.Location!.OriginalString))["status"]);

        var before = await CountsAsync(shop, "goods_pages");
        Assert.Equal(10, await StockOnPageAsync(2));
        Assert.Equal(7, await StockOnPageAsync(1));
        Assert.Equal((before.Hits + 1, before.Misses + 1), await CountsAsync(shop, "goods_pages"));
    }
}
