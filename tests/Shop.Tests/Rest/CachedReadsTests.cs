using System.Net;
using System.Net.Http.Headers;
using Shop.Tests.Features.Goods;

namespace Shop.Tests.Rest;

/// <summary>
/// Anonymous GETs of a cached goods are answered from memory ahead of authentication and the
/// endpoint: the answer is the endpoint's, byte for byte, and every rule that reads the request
/// (credentials, Accept, If-None-Match) holds as it does on the usual path.
/// </summary>
public sealed class CachedReadsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<double> HitsAsync(ShopApp shop) =>
        (await PrometheusText.ScrapeAsync(shop.Client)).Where("shop_cache_hits_total", ("cache", "goods")).Sum(s => s.Value);

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
}
