using System.Net;
using System.Text.Json.Nodes;
using static Shop.Tests.Support.OrderTesting;

namespace Shop.Tests.Features.Orders;

public abstract class OrdersApiTests
{
    public sealed class OnSqlite : OrdersApiTests;

    public sealed class OnPostgres : OrdersApiTests, IOnPostgres;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task PlacedOrderIsAcceptedAsPendingThenConfirmedWithPricesFixedAndLogged()
    {
        await using var shop = await ShopApp.StartAsync();
        using var admin = shop.AdminClient();
        var tea = await CreateGoodsAsync(admin, "SKU-1", stock: 10, price: 12.45m, name: "Tea");
        var cup = await CreateGoodsAsync(admin, "SKU-7", stock: 3, price: 15m, name: "Cup");
        var etagBefore = (await admin.GetAsync($"/api/v1/goods/{tea}", Ct)).Headers.ETag;
        using var alice = await shop.SignInAsync("alice");

        var response = await PlaceAsync(alice, Body((tea, 2), (cup, 1)));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var accepted = await response.ReadJsonAsync();
        Assert.Equal($"/api/v1/orders/{accepted["id"]}", response.Headers.Location!.OriginalString);
        Assert.Equal("pending", (string?)accepted["status"]);
        Assert.Equal("SKU-1", (string?)accepted["items"]![0]!["sku"]);
        var order = await WaitUntilDoneAsync(alice, response.Headers.Location.OriginalString);
        Assert.Equal("confirmed", (string?)order["status"]);
        Assert.Equal(12.45m, (decimal)order["items"]![0]!["unit_price"]!);
        Assert.Equal(39.90m, (decimal)order["total"]!);
        Assert.Null(order["reason"]);
        Assert.Equal(8, await StockAsync(alice, tea));
        Assert.Equal(2, await StockAsync(alice, cup));
        Assert.NotEqual(etagBefore, (await admin.GetAsync($"/api/v1/goods/{tea}", Ct)).Headers.ETag);
        var expected = $"alice ordered 2 x SKU-1 (Tea), 1 x SKU-7 (Cup): order {order["id"]}, total 39.90";
        var lines = await shop.WaitForLogAsync(l => l.EndsWith(expected, StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains(" - INFO - ", StringComparison.Ordinal) && l.EndsWith(expected, StringComparison.Ordinal));
    }

    [Fact]
    public async Task MetricsCountOrdersByStatusAndShowTheQueueDepth()
    {
        await using var shop = await ShopApp.StartAsync();
        using var admin = shop.AdminClient();
        var goods = await CreateGoodsAsync(admin, "METRIC", stock: 1);
        using var mia = await shop.SignInAsync("mia");
        await WaitUntilDoneAsync(mia, await PlaceAcceptedAsync(mia, (goods, 1)));
        await WaitUntilDoneAsync(mia, await PlaceAcceptedAsync(mia, (goods, 1)));

        var samples = await PrometheusText.ScrapeAsync(shop.Client);

        Assert.Equal(2, samples.Where("shop_orders_total", ("status", "pending")).Single().Value);
        Assert.Equal(1, samples.Where("shop_orders_total", ("status", "confirmed")).Single().Value);
        Assert.Equal(1, samples.Where("shop_orders_total", ("status", "rejected")).Single().Value);
        Assert.Equal(0, samples.Where("shop_queue_depth", ("queue", "orders")).Single().Value);
        Assert.Single(samples.Where("shop_queue_depth", ("queue", "jobs")));
    }

    [Fact]
    public async Task OrderBeyondStockIsRejectedNamingTheGoodsAndReservesNothing()
    {
        await using var shop = await ShopApp.StartAsync();
        using var admin = shop.AdminClient();
        var plenty = await CreateGoodsAsync(admin, "PLENTY", stock: 100);
        var scarce = await CreateGoodsAsync(admin, "SCARCE", stock: 1, name: "Rare tea");
        using var bob = await shop.SignInAsync("bob");

        var order = await WaitUntilDoneAsync(bob, await PlaceAcceptedAsync(bob, (plenty, 5), (scarce, 2)));

        Assert.Equal("rejected", (string?)order["status"]);
        Assert.Contains("SCARCE (Rare tea)", (string?)order["reason"], StringComparison.Ordinal);
        Assert.Null(order["total"]);
        Assert.Equal(100, await StockAsync(bob, plenty));
        Assert.Equal(1, await StockAsync(bob, scarce));
    }

    [Fact]
    public async Task OrdersProcessedInOneBatchAreEachConfirmedAtTodaysPricesOrRejectedWithNothingTaken()
    {
        await using var shared = await TestDatabase.CreateAsync();
        string[] locations;
        long tea, cup, rare;
        // An accept-only instance stores the orders, so the next instance's worker claims them all in one batch.
        await using (var first = await ShopApp.StartAsync(s => s with { Database = shared.Setting, QueueWorker = false }))
        {
            using var admin = first.AdminClient();
            tea = await CreateGoodsAsync(admin, "BATCH-TEA", stock: 10, price: 2m);
            cup = await CreateGoodsAsync(admin, "BATCH-CUP", stock: 10, price: 5m);
            rare = await CreateGoodsAsync(admin, "BATCH-RARE", stock: 1, price: 100m);
            using var olga = await first.SignInAsync("olga");
            locations =
            [
                await PlaceAcceptedAsync(olga, (tea, 2)),
                await PlaceAcceptedAsync(olga, (tea, 1), (rare, 5)),
                await PlaceAcceptedAsync(olga, (cup, 1), (tea, 3)),
                await PlaceAcceptedAsync(olga, (rare, 2)),
                await PlaceAcceptedAsync(olga, (cup, 2), (rare, 1)),
            ];
            // The price an order pays is the one when it is confirmed, not when it was placed.
            var patch = await admin.PatchAsync($"/api/v1/goods/{tea}", Http.Json("""{"price":2.5}""", "application/merge-patch+json"), Ct);
            Assert.Equal(HttpStatusCode.OK, patch.StatusCode);
        }

        await using var second = await ShopApp.StartAsync(s => s with { Database = shared.Setting });
        using var olgaAgain = second.BearerClient(await second.LogInAsync("olga", ShopApp.Password));
        var orders = new List<JsonNode>();
        foreach (var location in locations)
        {
            orders.Add(await WaitUntilDoneAsync(olgaAgain, location, TimeSpan.FromSeconds(15)));
        }

        Assert.Equal(["confirmed", "rejected", "confirmed", "rejected", "confirmed"], orders.Select(o => (string?)o["status"]));
        Assert.Equal([5.00m, null, 12.50m, null, 110.00m], orders.Select(o => (decimal?)o["total"]));
        Assert.Equal([2.5m], orders[0]["items"]!.AsArray().Select(i => (decimal)i!["unit_price"]!));
        Assert.Equal([5m, 2.5m], orders[2]["items"]!.AsArray().Select(i => (decimal)i!["unit_price"]!));
        Assert.Equal([5m, 100m], orders[4]["items"]!.AsArray().Select(i => (decimal)i!["unit_price"]!));
        Assert.Contains("BATCH-RARE", (string?)orders[1]["reason"], StringComparison.Ordinal);
        Assert.Equal(5, await StockAsync(olgaAgain, tea));
        Assert.Equal(7, await StockAsync(olgaAgain, cup));
        Assert.Equal(0, await StockAsync(olgaAgain, rare));
    }

    [Fact]
    public async Task OrderForUnknownGoodsIsABadRequestNamingTheLine()
    {
        await using var shop = await ShopApp.StartAsync();
        using var admin = shop.AdminClient();
        var known = await CreateGoodsAsync(admin, "KNOWN", stock: 1);
        using var carol = await shop.SignInAsync("carol");
        var problem = await (await PlaceAsync(carol, Body((known, 1), (987654, 1)))).AssertProblemAsync(400, "Validation failed");
        Assert.NotNull(problem["errors"]!["items[1].goods_id"]);
        Assert.Empty(await AllOrdersAsync(admin));
    }

    [Theory]
    [InlineData("""{"items":[]}""", "items")]
    [InlineData("""{}""", "items")]
    [InlineData("""{"items":[{"goods_id":1,"quantity":0}]}""", "items[0].quantity")]
    [InlineData("""{"items":[{"goods_id":1,"quantity":1001}]}""", "items[0].quantity")]
    [InlineData("""{"items":[{"goods_id":1}]}""", "items[0].quantity")]
    [InlineData("""{"items":[{"goods_id":1,"quantity":1,"price":1}]}""", "items[0].price")]
    [InlineData("""{"items":[{"goods_id":1,"quantity":1.5}]}""", "items[0].quantity")]
    public async Task OrderOfTheWrongShapeIsABadRequestNamingTheField(string body, string field)
    {
        await using var shop = await ShopApp.StartAsync();
        using var dave = await shop.SignInAsync("dave");
        var problem = await (await PlaceAsync(dave, body)).AssertProblemAsync(400);
        Assert.NotNull(problem["errors"]![field]);
    }

    [Theory]
    [InlineData("""{"items":[{"goods_id":"1","quantity":"2"}]}""", new[] { "items[0].goods_id", "items[0].quantity" })]
    [InlineData("""{"items":[{"goods_id":1,"quantity":0},{"goods_id":"x","quantity":1}]}""", new[] { "items[0].quantity", "items[1].goods_id" })]
    [InlineData("""{"items":[{"goods_id":{"a":1},"quantity":[1]}],"note":"hi"}""", new[] { "items[0].goods_id", "items[0].quantity", "note" })]
    public async Task EveryBadFieldOfAnOrderIsNamedInOneAnswer(string body, string[] fields)
    {
        await using var shop = await ShopApp.StartAsync();
        using var fern = await shop.SignInAsync("fern");
        var problem = await (await PlaceAsync(fern, body)).AssertProblemAsync(400, "Validation failed");
        Assert.Equal(fields, problem["errors"]!.AsObject().Select(e => e.Key).Order());
    }

    [Fact]
    public async Task OrderOfMoreThanFiftyLinesIsABadRequest()
    {
        await using var shop = await ShopApp.StartAsync();
        using var erin = await shop.SignInAsync("erin");
        var body = Body(Enumerable.Range(1, 51).Select(i => ((long)i, 1)).ToArray());
        var problem = await (await PlaceAsync(erin, body)).AssertProblemAsync(400);
        Assert.Equal("must have 1 to 50 lines", (string?)problem["errors"]!["items"]![0]);
    }

    [Fact]
    public async Task OrdersNeedASignedInUser()
    {
        await using var shop = await ShopApp.StartAsync();
        await (await PlaceAsync(shop.Client, Body((1, 1)))).AssertProblemAsync(401);
        await (await shop.Client.GetAsync("/api/v1/orders", Ct)).AssertProblemAsync(401);
    }

    [Fact]
    public async Task CustomersSeeOnlyTheirOwnOrdersAndAdminsSeeAllWithFilters()
    {
        await using var shop = await ShopApp.StartAsync();
        using var admin = shop.AdminClient();
        var goods = await CreateGoodsAsync(admin, "SHARED", stock: 1);
        using var alice = await shop.SignInAsync("alice");
        using var bob = await shop.SignInAsync("bob");
        var alices = await WaitUntilDoneAsync(alice, await PlaceAcceptedAsync(alice, (goods, 1)));
        var bobs = await WaitUntilDoneAsync(bob, await PlaceAcceptedAsync(bob, (goods, 1)));

        await (await bob.GetAsync($"/api/v1/orders/{alices["id"]}", Ct)).AssertProblemAsync(404, $"Order {alices["id"]} not found");
        await (await bob.PatchAsync($"/api/v1/orders/{alices["id"]}", Http.Json("""{"status":"cancelled"}"""), Ct)).AssertProblemAsync(404);
        var bobsList = await (await bob.GetAsync("/api/v1/orders", Ct)).ReadJsonAsync();
        Assert.Equal([(long)bobs["id"]!], bobsList["items"]!.AsArray().Select(o => (long)o!["id"]!));
        Assert.Equal(2, (await AllOrdersAsync(admin)).Count);
        var byAlice = await AllOrdersAsync(admin, $"&user_id={alices["user_id"]}");
        Assert.Equal([(long)alices["id"]!], byAlice.Select(o => (long)o["id"]!));
        var rejected = await AllOrdersAsync(admin, "&status=rejected");
        Assert.Equal([(long)bobs["id"]!], rejected.Select(o => (long)o["id"]!));
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync($"/api/v1/orders/{bobs["id"]}", Ct)).StatusCode);
        await (await admin.GetAsync("/api/v1/orders?status=lost", Ct)).AssertProblemAsync(400);
    }

    [Fact]
    public async Task CancellingAConfirmedOrderGivesTheStockBackOnce()
    {
        await using var shop = await ShopApp.StartAsync();
        using var admin = shop.AdminClient();
        var goods = await CreateGoodsAsync(admin, "CANCEL-1", stock: 5);
        using var frank = await shop.SignInAsync("frank");
        var location = await PlaceAcceptedAsync(frank, (goods, 3));
        Assert.Equal("confirmed", (string?)(await WaitUntilDoneAsync(frank, location))["status"]);
        Assert.Equal(2, await StockAsync(frank, goods));

        var response = await frank.PatchAsync(location, Http.Json("""{"status":"cancelled"}""", "application/merge-patch+json"), Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("cancelled", (string?)(await response.ReadJsonAsync())["status"]);
        Assert.Equal(5, await StockAsync(frank, goods));
        var again = await frank.PatchAsync(location, Http.Json("""{"status":"cancelled"}"""), Ct);
        await again.AssertProblemAsync(409, $"Order {location.Split('/')[^1]} is already cancelled");
        Assert.Equal(5, await StockAsync(frank, goods));
    }

    [Fact]
    public async Task StockGivenBackAboveAnyIntegerBoundIsStillReadableAndWritable()
    {
        await using var shop = await ShopApp.StartAsync();
        using var admin = shop.AdminClient();
        var goods = await CreateGoodsAsync(admin, "HUGE-1", stock: int.MaxValue);
        using var hana = await shop.SignInAsync("hana");
        var location = await PlaceAcceptedAsync(hana, (goods, 1000));
        Assert.Equal("confirmed", (string?)(await WaitUntilDoneAsync(hana, location))["status"]);
        var set = await admin.SendAsync(Http.Request(HttpMethod.Patch, $"/api/v1/goods/{goods}", $$"""{"stock": {{int.MaxValue}}}"""), Ct);
        Assert.Equal(HttpStatusCode.OK, set.StatusCode);

        Assert.Equal(HttpStatusCode.OK, (await hana.PatchAsync(location, Http.Json("""{"status":"cancelled"}"""), Ct)).StatusCode);

        // set − confirmed + cancelled = 2147483647 + 1000: past 32 bits, and still a goods like any other.
        var read = await (await hana.GetAsync($"/api/v1/goods/{goods}", Ct)).ReadJsonAsync();
        Assert.Equal(2_147_484_647L, (long)read["stock"]!);
        Assert.Equal(HttpStatusCode.OK, (await hana.GetAsync("/api/v1/goods?sort=-stock", Ct)).StatusCode);
        var patched = await admin.SendAsync(Http.Request(HttpMethod.Patch, $"/api/v1/goods/{goods}", """{"price": 11}"""), Ct);
        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        Assert.Equal(2_147_484_647L, (long)(await patched.ReadJsonAsync())["stock"]!);
    }

    [Fact]
    public async Task CancellingARejectedOrderIsAConflict()
    {
        await using var shop = await ShopApp.StartAsync();
        using var admin = shop.AdminClient();
        var goods = await CreateGoodsAsync(admin, "NONE", stock: 0);
        using var gina = await shop.SignInAsync("gina");
        var location = await PlaceAcceptedAsync(gina, (goods, 1));
        Assert.Equal("rejected", (string?)(await WaitUntilDoneAsync(gina, location))["status"]);
        await (await admin.PatchAsync(location, Http.Json("""{"status":"cancelled"}"""), Ct)).AssertProblemAsync(409);
    }

    [Fact]
    public async Task OrderStatusCanOnlyBeChangedToCancelled()
    {
        await using var shop = await ShopApp.StartAsync();
        using var admin = shop.AdminClient();
        var goods = await CreateGoodsAsync(admin, "ONLY", stock: 5);
        using var hank = await shop.SignInAsync("hank");
        var location = await PlaceAcceptedAsync(hank, (goods, 1));
        await WaitUntilDoneAsync(hank, location);
        var problem = await (await hank.PatchAsync(location, Http.Json("""{"status":"pending"}"""), Ct)).AssertProblemAsync(400);
        Assert.NotNull(problem["errors"]!["status"]);
        await (await hank.PatchAsync(location, Http.Json("""{"total":1}"""), Ct)).AssertProblemAsync(400);
    }

    [Fact]
    public async Task SameIdempotencyKeyAndBodyAnswersTheSameOrder()
    {
        await using var shop = await ShopApp.StartAsync();
        using var admin = shop.AdminClient();
        var goods = await CreateGoodsAsync(admin, "IDEM-1", stock: 10);
        using var ivan = await shop.SignInAsync("ivan");
        var body = Body((goods, 2));

        var first = await PlaceAsync(ivan, body, key: "key-1");
        var second = await PlaceAsync(ivan, body, key: "key-1");

        Assert.Equal(HttpStatusCode.Accepted, second.StatusCode);
        Assert.Equal(first.Headers.Location, second.Headers.Location);
        Assert.Equal((long)(await first.ReadJsonAsync())["id"]!, (long)(await second.ReadJsonAsync())["id"]!);
        await WaitUntilDoneAsync(ivan, first.Headers.Location!.OriginalString);
        Assert.Single(await AllOrdersAsync(admin));
        Assert.Equal(8, await StockAsync(ivan, goods));
        await (await PlaceAsync(ivan, Body((goods, 3)), key: "key-1")).AssertProblemAsync(422);
        // Keys belong to their user: another user's "key-1" is a new order.
        using var jane = await shop.SignInAsync("jane");
        Assert.NotEqual(first.Headers.Location, (await PlaceAsync(jane, body, key: "key-1")).Headers.Location);
    }

    [Fact]
    public async Task ConcurrentRequestsWithOneIdempotencyKeyPlaceOneOrder()
    {
        await using var shop = await ShopApp.StartAsync();
        using var admin = shop.AdminClient();
        var goods = await CreateGoodsAsync(admin, "IDEM-2", stock: 100);
        using var kate = await shop.SignInAsync("kate");

        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => PlaceAsync(kate, Body((goods, 1)), key: "burst")));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Accepted, r.StatusCode));
        Assert.Single(responses.Select(r => r.Headers.Location!.OriginalString).Distinct());
        await WaitUntilDoneAsync(kate, responses[0].Headers.Location!.OriginalString);
        Assert.Single(await AllOrdersAsync(admin));
        Assert.Equal(99, await StockAsync(kate, goods));
    }

    [Fact]
    public async Task AnOversizedIdempotencyKeyIsABadRequest()
    {
        await using var shop = await ShopApp.StartAsync();
        using var lena = await shop.SignInAsync("lena");
        await (await PlaceAsync(lena, Body((1, 1)), key: new string('k', 256))).AssertProblemAsync(400);
    }

    [Fact]
    public async Task StockNeverGoesBelowZeroUnderConcurrentOrders()
    {
        await using var shop = await ShopApp.StartAsync();
        using var admin = shop.AdminClient();
        var goods = await CreateGoodsAsync(admin, "FLASH", stock: 50);
        var customers = new List<HttpClient>();
        for (var i = 0; i < 20; i++)
        {
            customers.Add(await shop.SignInAsync($"buyer{i}"));
        }

        var locations = await Task.WhenAll(Enumerable.Range(0, 200).Select(i => PlaceAcceptedAsync(customers[i % 20], (goods, 1))));
        var orders = await Task.WhenAll(locations.Select(l => WaitUntilDoneAsync(admin, l, TimeSpan.FromSeconds(60))));

        Assert.All(orders, o => Assert.Contains((string?)o["status"], (string[])["confirmed", "rejected"]));
        Assert.Equal(50, orders.Count(o => (string?)o["status"] == "confirmed"));
        Assert.Equal(0, await StockAsync(admin, goods));
        customers.ForEach(c => c.Dispose());
    }

    [Fact]
    public async Task SortByTotalPutsOrdersWithoutATotalBelowEveryTotalOnBothDatabases()
    {
        await using var shop = await ShopApp.StartAsync();
        using var admin = shop.AdminClient();
        var goods = await CreateGoodsAsync(admin, "TOTALS", stock: 5, price: 10m);
        using var nina = await shop.SignInAsync("nina");
        var big = await PlaceAcceptedAsync(nina, (goods, 3));
        var rejected = await PlaceAcceptedAsync(nina, (goods, 100));
        var small = await PlaceAcceptedAsync(nina, (goods, 1));
        foreach (var order in (string[])[big, rejected, small])
        {
            await WaitUntilDoneAsync(nina, order);
        }
        async Task<string[]> OrderedAsync(string sort) =>
            [.. (await (await admin.GetAsync($"/api/v1/orders?sort={sort}", Ct)).ReadJsonAsync())["items"]!.AsArray().Select(o => $"/api/v1/orders/{o!["id"]}")];

        Assert.Equal([rejected, small, big], await OrderedAsync("total"));
        Assert.Equal([big, small, rejected], await OrderedAsync("-total"));
    }
}
