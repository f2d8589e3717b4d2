using System.Net;
using System.Text.Json.Nodes;

namespace Shop.Tests.Features.Goods;

public sealed class GoodsApiTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<JsonNode> CreateAsync(HttpClient admin, string sku, decimal price = 9.99m, int stock = 5, string name = "Tea", string category = "drinks")
    {
        var response = await admin.PostAsync("/api/v1/goods",
            Http.Json(new JsonObject { ["sku"] = sku, ["name"] = name, ["price"] = price, ["stock"] = stock, ["category"] = category }), Ct);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
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
        Assert.Equal("", (string?)body["description"]);
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", (string)body["created_at"]!);
        Assert.Equal(response.Headers.ETag, read.Headers.ETag);
    }

    [Fact]
    public async Task DuplicateSkuIsAConflict()
    {
        await using var shop = await ShopApp.StartAsync();
        using var admin = shop.AdminClient();
        await CreateAsync(admin, "DUP-1");
        var response = await admin.PostAsync("/api/v1/goods", Http.Json("""{"sku":"DUP-1","name":"Again","price":1}"""), Ct);
        await response.AssertProblemAsync(409, "A goods with sku 'DUP-1' already exists");
    }
}
