using System.Net;

namespace Shop.Tests.Features.Index;

public sealed class IndexApiTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task TheRootDescribesTheService()
    {
        await using var shop = await ShopApp.StartAsync();
        var body = await (await shop.Client.GetAsync("/", Ct)).ReadJsonAsync();
        Assert.Equal("shop", (string?)body["name"]);
        Assert.Equal("/api/v1", (string?)body["api"]);
        Assert.Equal("/docs", (string?)body["docs"]);
        Assert.Matches(@"^\d+\.\d+\.\d+", (string?)body["version"]);
    }

    [Fact]
    public async Task TheApiIndexLinksToEveryCollectionAndEachLinkExists()
    {
        await using var shop = await ShopApp.StartAsync();
        using var admin = shop.AdminClient();
        var links = (await (await shop.Client.GetAsync("/api/v1", Ct)).ReadJsonAsync())["links"]!.AsObject();
        Assert.Equal("/api/v1/goods", (string?)links["goods"]);
        foreach (var (name, link) in links)
        {
            // Every link names a resource that exists; sessions only accepts POST, so a GET is 405 there.
            var response = await admin.GetAsync((string)link!, Ct);
            Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.MethodNotAllowed, $"{name}: {(int)response.StatusCode}");
        }
    }

    [Fact]
    public async Task TheOpenApiDocumentDescribesEveryGoodsOperation()
    {
        await using var shop = await ShopApp.StartAsync();
        var document = await (await shop.Client.GetAsync("/openapi/v1.json", Ct)).ReadJsonAsync();
        var paths = document["paths"]!;
        var list = paths["/api/v1/goods"]!["get"]!;
        var parameters = list["parameters"]!.AsArray().Select(p => (string)p!["name"]!).ToList();
        Assert.Superset(new HashSet<string> { "page", "per_page", "limit", "offset", "sort", "fields", "q", "category", "min_price", "max_price", "in_stock" }, parameters.ToHashSet());
        Assert.NotNull(list["responses"]!["400"]);
        Assert.NotNull(paths["/api/v1/goods"]!["post"]!["requestBody"]);
        Assert.NotNull(paths["/api/v1/goods"]!["post"]!["responses"]!["409"]);
        foreach (var method in new[] { "get", "put", "patch", "delete" })
        {
            Assert.NotNull(paths["/api/v1/goods/{id}"]![method]);
        }
        Assert.NotNull(paths["/api/v1/goods/{id}"]!["put"]!["responses"]!["412"]);
        Assert.NotNull(document["components"]!["schemas"]!["GoodsResponse"]!["properties"]!["created_at"]);
    }

    [Fact]
    public async Task TheDocsPageIsServed()
    {
        await using var shop = await ShopApp.StartAsync();
        var response = await shop.Client.GetAsync("/docs", Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType!.MediaType);
        var html = await response.Content.ReadAsStringAsync(Ct);
        Assert.Contains("openapi/v1.json", html, StringComparison.Ordinal);
        // The page's script is served by the service itself: /docs works on a closed network.
        Assert.Contains("<script src=\"scalar.js\">", html, StringComparison.Ordinal);
        var script = await shop.Client.GetAsync("/docs/scalar.js", Ct);
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
    }
}
