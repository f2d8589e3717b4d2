using System.Net;
using System.Text.Json.Nodes;

namespace Shop.Tests.Support;

/// <summary>Helpers shared by the order tests: goods to order, placing orders, waiting for the worker.</summary>
internal static class OrderTesting
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static async Task<long> CreateGoodsAsync(HttpClient admin, string sku, int stock, decimal price = 10m, string? name = null)
    {
        var response = await admin.PostAsync("/api/v1/goods",
            Http.Json(new JsonObject { ["sku"] = sku, ["name"] = name ?? sku, ["price"] = price, ["stock"] = stock }), Ct);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (long)(await response.ReadJsonAsync())["id"]!;
    }

    public static string Body(params (long GoodsId, int Quantity)[] items) =>
        new JsonObject { ["items"] = new JsonArray(items.Select(i => (JsonNode)new JsonObject { ["goods_id"] = i.GoodsId, ["quantity"] = i.Quantity }).ToArray()) }.ToJsonString();

    public static Task<HttpResponseMessage> PlaceAsync(HttpClient client, string body, string? key = null) =>
        client.SendAsync(Http.Request(HttpMethod.Post, "/api/v1/orders", body, key is null ? [] : [("Idempotency-Key", key)]), Ct);

    /// <summary>Places an order that must be accepted, and returns its Location.</summary>
    public static async Task<string> PlaceAcceptedAsync(HttpClient client, params (long GoodsId, int Quantity)[] items)
    {
        var response = await PlaceAsync(client, Body(items));
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync(Ct));
        return response.Headers.Location!.OriginalString;
    }

    /// <summary>Polls an order until it is no longer pending (the worker has confirmed or rejected it), and returns it.</summary>
    public static Task<JsonNode> WaitUntilDoneAsync(HttpClient client, string location, TimeSpan? timeout = null) =>
        Poll.UntilAsync(async () => await (await client.GetAsync(location, Ct)).ReadJsonAsync(),
            order => (string?)order["status"] != "pending", $"order {location} to leave pending", timeout, order => order.ToJsonString());

    public static async Task<int> StockAsync(HttpClient client, long goodsId) =>
        (int)(await (await client.GetAsync($"/api/v1/goods/{goodsId}", Ct)).ReadJsonAsync())["stock"]!;

    /// <summary>Every order the admin can see, through all pages.</summary>
    public static async Task<List<JsonNode>> AllOrdersAsync(HttpClient admin, string filter = "")
    {
        var all = new List<JsonNode>();
        for (var page = 1; ; page++)
        {
            var body = await (await admin.GetAsync($"/api/v1/orders?per_page=100&page={page}{filter}", Ct)).ReadJsonAsync();
            var items = body["items"]!.AsArray();
            all.AddRange(items.Select(i => i!));
            if (items.Count < 100)
            {
                return all;
            }
        }
    }
}
