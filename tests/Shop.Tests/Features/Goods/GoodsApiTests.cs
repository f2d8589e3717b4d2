using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;

namespace Shop.Tests.Features.Goods;

public sealed class GoodsApiTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    internal static async Task<JsonNode> CreateAsync(
        HttpClient admin, string sku, decimal price = 9.99m, int stock = 5, string name = "Tea", string category = "drinks")
    {
        var response = await admin.PostAsync("/api/v1/goods",
            Http.Json(new JsonObject { ["sku"] = sku, ["name"] = name, ["price"] = price, ["stock"] = stock, ["category"] = category }), Ct);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync(Ct));
        return await response.ReadJsonAsync();
    }

    [Fact]
    public async Task CreatedGoodsCanBeReadBackWithLocationAndETag()
    {
        await using var shop = await ShopApp.StartAsync();
        using var admin = shop.AdminClient();
        var response = await admin.PostAsync("/api/v1/goods", Http.Json("""{"sku":"TEA-1","name":"Green tea","price":12.5,"stock":3}"""), Ct);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = await response.ReadJsonAsync();
        Assert.Equal($"/api/v1/goods/{created["id"]}", response.Headers.Location!.OriginalString);
        Assert.NotNull(response.Headers.ETag);
        var read = await shop.Client.GetAsync(response.Headers.Location, Ct);
        var body = await read.ReadJsonAsync();
        Assert.Equal("TEA-1", (string?)body["sku"]);
        Assert.Equal(12.5m, (decimal)body["price"]!);
        Assert.Equal(3, (int)body["stock"]!);
        Assert.Equal("", (string?)body["description"]);
        Assert.Equal("", (string?)body["category"]);
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", (string)body["created_at"]!);
        Assert.Equal(response.Headers.ETag, read.Headers.ETag);
        Assert.Equal(
            ["id", "sku", "name", "description", "price", "stock", "category", "created_at", "updated_at"],
            body.AsObject().Select(p => p.Key));
    }

    [Fact]
    public async Task StockDefaultsToZero()
    {
        await using var shop = await ShopApp.StartAsync();
        using var admin = shop.AdminClient();
        var response = await admin.PostAsync("/api/v1/goods", Http.Json("""{"sku":"S","name":"N","price":0}"""), Ct);
        Assert.Equal(0, (int)(await response.ReadJsonAsync())["stock"]!);
    }

    [Fact]
    public async Task DuplicateSkuIsAConflictOnCreateAndReplace()
    {
        await using var shop = await ShopApp.StartAsync();
        using var admin = shop.AdminClient();
        await CreateAsync(admin, "DUP-1");
        var other = await CreateAsync(admin, "DUP-2");

        var create = await admin.PostAsync("/api/v1/goods", Http.Json("""{"sku":"DUP-1","name":"Again","price":1}"""), Ct);
        await create.AssertProblemAsync(409, "A goods with sku 'DUP-1' already exists");
        var replace = await admin.PutAsync($"/api/v1/goods/{other["id"]}", Http.Json("""{"sku":"DUP-1","name":"Again","price":1}"""), Ct);
        await replace.AssertProblemAsync(409, "A goods with sku 'DUP-1' already exists");
    }

    [Fact]
    public async Task SkuUniquenessIsCaseSensitive()
    {
        await using var shop = await ShopApp.StartAsync();
        using var admin = shop.AdminClient();
        await CreateAsync(admin, "abc");
        await CreateAsync(admin, "ABC");
    }

    [Fact]
    public async Task ReplaceSetsEveryWritableFieldAndBumpsTheETag()
    {
        await using var shop = await ShopApp.StartAsync();
        using var admin = shop.AdminClient();
        var created = await CreateAsync(admin, "R-1", category: "old");
        var before = (await shop.Client.GetAsync($"/api/v1/goods/{created["id"]}", Ct)).Headers.ETag;

        var response = await admin.PutAsync($"/api/v1/goods/{created["id"]}", Http.Json("""{"sku":"R-2","name":"Cup","price":3}"""), Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.ReadJsonAsync();
        Assert.Equal("R-2", (string?)body["sku"]);
        Assert.Equal(0, (int)body["stock"]!);
        Assert.Equal("", (string?)body["category"]);
        Assert.NotEqual(before, response.Headers.ETag);
    }

    [Fact]
    public async Task MergePatchChangesOnlyTheGivenFieldsAndNullResetsOptionalOnes()
    {
        await using var shop = await ShopApp.StartAsync();
        using var admin = shop.AdminClient();
        var created = await CreateAsync(admin, "P-1", price: 5, stock: 7, category: "tea");

        var response = await admin.PatchAsync($"/api/v1/goods/{created["id"]}",
            Http.Json("""{"price": 6.25, "category": null}""", "application/merge-patch+json"), Ct);

        var body = await response.ReadJsonAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(6.25m, (decimal)body["price"]!);
        Assert.Equal(7, (int)body["stock"]!);
        Assert.Equal("P-1", (string?)body["sku"]);
        Assert.Equal("", (string?)body["category"]);
    }

    [Fact]
    public async Task MergePatchThatRemovesARequiredFieldIsRejected()
    {
        await using var shop = await ShopApp.StartAsync();
        using var admin = shop.AdminClient();
        var created = await CreateAsync(admin, "P-2");
        var response = await admin.PatchAsync($"/api/v1/goods/{created["id"]}", Http.Json("""{"name": null}"""), Ct);
        var body = await response.AssertProblemAsync(400, "Validation failed");
        Assert.Equal("is required", (string?)body["errors"]!["name"]![0]);
    }

    [Fact]
    public async Task DeleteRemovesTheGoods()
    {
        await using var shop = await ShopApp.StartAsync();
        using var admin = shop.AdminClient();
        var created = await CreateAsync(admin, "D-1");
        var response = await admin.DeleteAsync($"/api/v1/goods/{created["id"]}", Ct);
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        await (await shop.Client.GetAsync($"/api/v1/goods/{created["id"]}", Ct)).AssertProblemAsync(404, $"Goods {created["id"]} not found");
        await (await admin.DeleteAsync($"/api/v1/goods/{created["id"]}", Ct)).AssertProblemAsync(404);
    }

    [Fact]
    public async Task IfNoneMatchWithTheCurrentETagAnswers304WithoutBody()
    {
        await using var shop = await ShopApp.StartAsync();
        using var admin = shop.AdminClient();
        var created = await CreateAsync(admin, "E-1");
        var first = await shop.Client.GetAsync($"/api/v1/goods/{created["id"]}", Ct);

        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/goods/{created["id"]}");
        request.Headers.IfNoneMatch.Add(first.Headers.ETag!);
        var second = await shop.Client.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.NotModified, second.StatusCode);
        Assert.Equal("", await second.Content.ReadAsStringAsync(Ct));
        Assert.Equal(first.Headers.ETag, second.Headers.ETag);
    }

    [Fact]
    public async Task IfNoneMatchWithAnOldETagAnswersTheNewRepresentation()
    {
        await using var shop = await ShopApp.StartAsync();
        using var admin = shop.AdminClient();
        var created = await CreateAsync(admin, "E-2");
        var old = (await shop.Client.GetAsync($"/api/v1/goods/{created["id"]}", Ct)).Headers.ETag!;
        await admin.PatchAsync($"/api/v1/goods/{created["id"]}", Http.Json("""{"stock": 1}"""), Ct);

        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/goods/{created["id"]}");
        request.Headers.IfNoneMatch.Add(old);
        var response = await shop.Client.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, (int)(await response.ReadJsonAsync())["stock"]!);
    }

    [Theory]
    [InlineData("PUT")]
    [InlineData("PATCH")]
    [InlineData("DELETE")]
    public async Task WritesWithAStaleIfMatchAre412AndChangeNothing(string method)
    {
        await using var shop = await ShopApp.StartAsync();
        using var admin = shop.AdminClient();
        var created = await CreateAsync(admin, "M-1", stock: 9);
        var stale = (await shop.Client.GetAsync($"/api/v1/goods/{created["id"]}", Ct)).Headers.ETag!;
        await admin.PatchAsync($"/api/v1/goods/{created["id"]}", Http.Json("""{"stock": 8}"""), Ct);

        var json = method == "DELETE" ? null : """{"sku":"M-1","name":"X","price":1,"stock":1}""";
        var response = await admin.SendAsync(Http.Request(new HttpMethod(method), $"/api/v1/goods/{created["id"]}", json, ("If-Match", stale.ToString())), Ct);

        await response.AssertProblemAsync(412);
        var current = await (await shop.Client.GetAsync($"/api/v1/goods/{created["id"]}", Ct)).ReadJsonAsync();
        Assert.Equal(8, (int)current["stock"]!);
    }

    [Fact]
    public async Task WritesWithTheCurrentIfMatchSucceed()
    {
        await using var shop = await ShopApp.StartAsync();
        using var admin = shop.AdminClient();
        var created = await CreateAsync(admin, "M-2");
        var etag = (await shop.Client.GetAsync($"/api/v1/goods/{created["id"]}", Ct)).Headers.ETag!;

        var patch = await admin.SendAsync(Http.Request(HttpMethod.Patch, $"/api/v1/goods/{created["id"]}", """{"stock": 2}""", ("If-Match", etag.ToString())), Ct);
        Assert.Equal(HttpStatusCode.OK, patch.StatusCode);
        var delete = await admin.SendAsync(Http.Request(HttpMethod.Delete, $"/api/v1/goods/{created["id"]}", null, ("If-Match", patch.Headers.ETag!.ToString())), Ct);
        Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
    }

    [Fact]
    public async Task WritesWithoutCredentialsAre401WithBearerChallenge()
    {
        await using var shop = await ShopApp.StartAsync();
        var response = await shop.Client.PostAsync("/api/v1/goods", Http.Json("""{"sku":"A","name":"B","price":1}"""), Ct);
        await response.AssertProblemAsync(401, "Authentication required");
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
    }

    [Fact]
    public async Task AWrongApiKeyIs401InvalidApiKey()
    {
        await using var shop = await ShopApp.StartAsync();
        using var client = shop.CreateClient(("X-API-Key", "not-the-key"));
        var response = await client.DeleteAsync("/api/v1/goods/1", Ct);
        await response.AssertProblemAsync(401, "Invalid API KEY");
    }

    [Fact]
    public async Task UnknownIdsAndNonNumericIdsAre404()
    {
        await using var shop = await ShopApp.StartAsync();
        await (await shop.Client.GetAsync("/api/v1/goods/999", Ct)).AssertProblemAsync(404, "Goods 999 not found");
        await (await shop.Client.GetAsync("/api/v1/goods/abc", Ct)).AssertProblemAsync(404);
        await (await shop.Client.GetAsync("/api/v1/goods/99999999999999999999999", Ct)).AssertProblemAsync(404);
        await (await shop.Client.GetAsync("/api/v1/goods/-1", Ct)).AssertProblemAsync(404);
    }

    [Fact]
    public async Task ConcurrentCreatesOfOneSkuMakeExactlyOneGoods()
    {
        await using var shop = await ShopApp.StartAsync();
        using var admin = shop.AdminClient();
        var responses = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ =>
            admin.PostAsync("/api/v1/goods", Http.Json("""{"sku":"RACE","name":"Race","price":1}"""), Ct)));
        Assert.Equal(1, responses.Count(r => r.StatusCode == HttpStatusCode.Created));
        Assert.Equal(9, responses.Count(r => r.StatusCode == HttpStatusCode.Conflict));
    }

    [Fact]
    public async Task GetSendsNoCacheBustingHeadersButAnETag()
    {
        await using var shop = await ShopApp.StartAsync();
        using var admin = shop.AdminClient();
        var created = await CreateAsync(admin, "H-1");
        var response = await shop.Client.GetAsync($"/api/v1/goods/{created["id"]}", Ct);
        Assert.Equal(new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" }, response.Content.Headers.ContentType);
        Assert.Matches("^\"\\d+-\\d+\"$", response.Headers.ETag!.Tag);
    }

    [Fact]
    public async Task ConcurrentPatchesWithoutIfMatchAllApplyAndNoneIsLost()
    {
        await using var shop = await ShopApp.StartAsync();
        using var admin = shop.AdminClient();
        var id = (long)(await CreateAsync(admin, "RACE-1", stock: 0))["id"]!;

        // Each PATCH sets its own description; all of them must succeed (the last writer wins).
        var answers = await Task.WhenAll(Enumerable.Range(0, 20).Select(i =>
            admin.SendAsync(Http.Request(HttpMethod.Patch, $"/api/v1/goods/{id}", $$"""{"description": "writer {{i}}"}"""), Ct)));

        Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a.StatusCode));
        var final = await (await shop.Client.GetAsync($"/api/v1/goods/{id}", Ct)).ReadJsonAsync();
        Assert.StartsWith("writer ", (string?)final["description"], StringComparison.Ordinal);
        Assert.Equal($"\"{id}-21\"", (await shop.Client.GetAsync($"/api/v1/goods/{id}", Ct)).Headers.ETag!.Tag);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("*")]
    public async Task APatchWithoutAVersionIsAppliedOnTopOfStockTakenByOrdersMeanwhile(string? ifMatch)
    {
        await using var shop = await ShopApp.StartAsync();
        using var admin = shop.AdminClient();
        var id = (long)(await CreateAsync(admin, "RACE-2", price: 2m, stock: 1000))["id"]!;
        using var buyer = await shop.SignInAsync("buyer");
        (string, string)[] headers = ifMatch is null ? [] : [("If-Match", ifMatch)];

        var orders = Enumerable.Range(0, 40).Select(_ =>
            buyer.PostAsync("/api/v1/orders", Http.Json($$"""{"items":[{"goods_id":{{id}},"quantity":1}]}"""), Ct)).ToList();
        var patches = Enumerable.Range(0, 10).Select(i =>
            admin.SendAsync(Http.Request(HttpMethod.Patch, $"/api/v1/goods/{id}", $$"""{"price": {{3 + i}}}""", headers), Ct)).ToList();

        Assert.All(await Task.WhenAll(patches), a => Assert.Equal(HttpStatusCode.OK, a.StatusCode));
        var placed = await Task.WhenAll(orders);
        Assert.All(placed, a => Assert.Equal(HttpStatusCode.Accepted, a.StatusCode));
        foreach (var order in placed)
        {
            Assert.Equal("confirmed", (string?)(await OrderTesting.WaitUntilDoneAsync(buyer, order.Headers.Location!.OriginalString))["status"]);
        }
        // No write was lost: every order took its unit, and the price is one of the patches'.
        var final = await (await shop.Client.GetAsync($"/api/v1/goods/{id}", Ct)).ReadJsonAsync();
        Assert.Equal(1000 - 40, (int)final["stock"]!);
        Assert.InRange((decimal)final["price"]!, 3m, 12m);
    }

    [Fact]
    public async Task ADeleteWithoutIfMatchDeletesWhateverHappenedToTheGoods()
    {
        await using var shop = await ShopApp.StartAsync();
        using var admin = shop.AdminClient();
        var id = (long)(await CreateAsync(admin, "RACE-3"))["id"]!;
        Assert.Equal(HttpStatusCode.OK, (await admin.SendAsync(Http.Request(HttpMethod.Patch, $"/api/v1/goods/{id}", """{"stock": 9}"""), Ct)).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api/v1/goods/{id}", Ct)).StatusCode);
        await (await admin.DeleteAsync($"/api/v1/goods/{id}", Ct)).AssertProblemAsync(404);
    }
}
