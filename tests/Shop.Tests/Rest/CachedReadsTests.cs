using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Shop.Tests.Features.Goods;

namespace Shop.Tests.Rest;

/// <summary>
/// Anonymous GETs of a cached goods or listing page are answered from memory ahead of
/// authentication and the endpoint: the answer is the endpoint's, byte for byte, and every rule
/// that reads the request (credentials, Accept, If-None-Match, the query) holds as it does on the
/// usual path.
/// </summary>
public sealed class CachedReadsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<double> HitsAsync(ShopApp shop, string cache = "goods") =>
        (await PrometheusText.ScrapeAsync(shop.Client)).Where("shop_cache_hits_total", ("cache", cache)).Sum(s => s.Value);

    private static async Task<ShopApp> StartWithThreeGoodsAsync()
    {
        var shop = await ShopApp.StartAsync();
        using var admin = shop.AdminClient();
        foreach (var sku in new[] { "PAGE-1", "PAGE-2", "PAGE-3" })
        {
            await GoodsApiTests.CreateAsync(admin, sku);
        }
        return shop;
    }

    private static async Task<(ShopApp Shop, long Id)> StartWithCachedGoodsAsync()
    {
        var shop = await ShopApp.StartAsync();
        using var admin = shop.AdminClient();
        var id = (long)(await GoodsApiTests.CreateAsync(admin, "MEMORY-1"))["id"]!;
        Assert.Equal(HttpStatusCode.OK, (await shop.Client.GetAsync($"/api/v1/goods/{id}", Ct)).StatusCode);
        return (shop, id);
    }

    [Fact]
    public async Task AReadAnsweredFromMemoryHasTheBytesAndHeadersOfTheReadThatLoadedIt()
    {
        await using var shop = await ShopApp.StartAsync();
        using var admin = shop.AdminClient();
        var id = (long)(await GoodsApiTests.CreateAsync(admin, "MEMORY-2"))["id"]!;

        var loaded = await shop.Client.GetAsync($"/api/v1/goods/{id}", Ct);
        var hits = await HitsAsync(shop);
        var remembered = await shop.Client.GetAsync($"/api/v1/goods/{id}", Ct);

        Assert.Equal(hits + 1, await HitsAsync(shop));
        Assert.Equal(HttpStatusCode.OK, remembered.StatusCode);
        Assert.Equal(await loaded.Content.ReadAsByteArrayAsync(Ct), await remembered.Content.ReadAsByteArrayAsync(Ct));
        Assert.Equal(loaded.Headers.ETag, remembered.Headers.ETag);
        Assert.Equal("application/json; charset=utf-8", remembered.Content.Headers.ContentType?.ToString());
        Assert.Equal(loaded.Content.Headers.ContentLength, remembered.Content.Headers.ContentLength);
        Assert.Equal(loaded.Headers.Vary, remembered.Headers.Vary);
        Assert.Equal(["nosniff"], remembered.Headers.GetValues("X-Content-Type-Options"));
        Assert.NotEqual(loaded.Headers.GetValues("X-Request-Id").Single(), remembered.Headers.GetValues("X-Request-Id").Single());
    }

    [Theory]
    [InlineData("Authorization", "Bearer not-a-token")]
    [InlineData("X-API-Key", "not-a-key")]
    public async Task ABadCredentialOnACachedGoodsIsStillA401(string header, string value)
    {
        var (shop, id) = await StartWithCachedGoodsAsync();
        await using var _ = shop;
        var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/goods/{id}");
        request.Headers.TryAddWithoutValidation(header, value);

        await (await shop.Client.SendAsync(request, Ct)).AssertProblemAsync(401);
    }

    [Fact]
    public async Task AnAcceptThatRefusesJsonOnACachedGoodsIsStillA406AndOneThatWeighsItIsA200()
    {
        var (shop, id) = await StartWithCachedGoodsAsync();
        await using var _ = shop;
        var csv = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/goods/{id}");
        csv.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/csv"));
        await (await shop.Client.SendAsync(csv, Ct)).AssertProblemAsync(406);

        var weighed = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/goods/{id}");
        weighed.Headers.TryAddWithoutValidation("Accept", "text/html, application/json;q=0.5");
        var answer = await shop.Client.SendAsync(weighed, Ct);
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Contains("MEMORY-1", await answer.Content.ReadAsStringAsync(Ct));
    }

    [Fact]
    public async Task IfNoneMatchNamingTheCachedGoodsIsA304WithItsETagAndAnOlderTagIsA200()
    {
        var (shop, id) = await StartWithCachedGoodsAsync();
        await using var _ = shop;
        var etag = (await shop.Client.GetAsync($"/api/v1/goods/{id}", Ct)).Headers.ETag!;

        var current = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/goods/{id}");
        current.Headers.IfNoneMatch.Add(etag);
        var notModified = await shop.Client.SendAsync(current, Ct);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        Assert.Equal(etag, notModified.Headers.ETag);
        Assert.Empty(await notModified.Content.ReadAsByteArrayAsync(Ct));

        var older = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/goods/{id}");
        older.Headers.IfNoneMatch.Add(new EntityTagHeaderValue($"\"{id}-0\""));
        Assert.Equal(HttpStatusCode.OK, (await shop.Client.SendAsync(older, Ct)).StatusCode);
    }

    [Fact]
    public async Task ASignedInReadAndAReadWithAQueryGetTheSameGoodsTheUsualWay()
    {
        var (shop, id) = await StartWithCachedGoodsAsync();
        await using var _ = shop;
        var anonymous = await shop.Client.GetStringAsync($"/api/v1/goods/{id}", Ct);
        using var customer = await shop.SignInAsync("reader");

        Assert.Equal(anonymous, await customer.GetStringAsync($"/api/v1/goods/{id}", Ct));
        Assert.Equal(anonymous, await shop.Client.GetStringAsync($"/api/v1/goods/{id}?", Ct));
    }

    [Theory]
    [InlineData("/api/v1/goods?page=2&per_page=1")]
    [InlineData("/api/v1/goods?offset=1&limit=1&fields=sku,id")]
    [InlineData("/API/v1/Goods?per_page=2&q=page")]
    public async Task AListingPageAnsweredFromMemoryHasTheBytesAndHeadersOfTheReadThatMadeIt(string url)
    {
        await using var shop = await StartWithThreeGoodsAsync();

        var made = await shop.Client.GetAsync(url, Ct);
        // The second read keeps the answer, the third is answered from it.
        Assert.Equal(HttpStatusCode.OK, (await shop.Client.GetAsync(url, Ct)).StatusCode);
        var hits = await HitsAsync(shop, "goods_pages");
        var remembered = await shop.Client.GetAsync(url, Ct);

        Assert.Equal(hits + 1, await HitsAsync(shop, "goods_pages"));
        Assert.Equal(HttpStatusCode.OK, remembered.StatusCode);
        Assert.Equal(await made.Content.ReadAsByteArrayAsync(Ct), await remembered.Content.ReadAsByteArrayAsync(Ct));
        foreach (var header in new[] { "X-Total-Count", "Link", "Vary", "X-Content-Type-Options" })
        {
            Assert.Equal(made.Headers.GetValues(header), remembered.Headers.GetValues(header));
        }
        Assert.Equal("application/json; charset=utf-8", remembered.Content.Headers.ContentType?.ToString());
        Assert.Equal(made.Content.Headers.ContentLength, remembered.Content.Headers.ContentLength);
        // The links repeat the path as it was asked for, so each spelling has its own answer.
        Assert.StartsWith($"<{url[..url.IndexOf('?', StringComparison.Ordinal)]}?", remembered.Headers.GetValues("Link").Single(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AGoodsChangedOnARememberedPageIsOnTheNextAnonymousReadOfIt()
    {
        await using var shop = await StartWithThreeGoodsAsync();
        using var admin = shop.AdminClient();
        const string url = "/api/v1/goods?per_page=2";
        var before = await shop.Client.GetStringAsync(url, Ct);
        Assert.Equal(before, await shop.Client.GetStringAsync(url, Ct));
        var first = JsonNode.Parse(before)!["items"]![0]!;

        var patched = await admin.PatchAsync($"/api/v1/goods/{first["id"]}", Http.Json("""{"name": "Renamed tea"}""", "application/merge-patch+json"), Ct);
        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);

        var after = JsonNode.Parse(await shop.Client.GetStringAsync(url, Ct))!["items"]![0]!;
        Assert.Equal("Renamed tea", (string?)after["name"]);
    }

    [Fact]
    public async Task ARememberedPageIsStillA401WithABadCredentialCsvForCsvAndA400ForABadParameter()
    {
        await using var shop = await StartWithThreeGoodsAsync();
        const string url = "/api/v1/goods?per_page=2";
        var json = await shop.Client.GetStringAsync(url, Ct);
        Assert.Equal(json, await shop.Client.GetStringAsync(url, Ct));

        var badKey = new HttpRequestMessage(HttpMethod.Get, url) { Headers = { { "X-API-Key", "not-a-key" } } };
        await (await shop.Client.SendAsync(badKey, Ct)).AssertProblemAsync(401);
        var csv = new HttpRequestMessage(HttpMethod.Get, url) { Headers = { Accept = { new MediaTypeWithQualityHeaderValue("text/csv") } } };
        var csvAnswer = await shop.Client.SendAsync(csv, Ct);
        Assert.Equal("text/csv", csvAnswer.Content.Headers.ContentType?.MediaType);
        Assert.StartsWith("id,", await csvAnswer.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        await (await shop.Client.GetAsync(url + "&sort=colour", Ct)).AssertProblemAsync(400);
        using var customer = await shop.SignInAsync("reader");
        Assert.Equal(json, await customer.GetStringAsync(url, Ct));
    }
}
