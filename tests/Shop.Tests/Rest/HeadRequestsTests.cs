using System.Net;

namespace Shop.Tests.Rest;

/// <summary>HEAD is GET without the body, on every GET route.</summary>
public sealed class HeadRequestsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("/")]
    [InlineData("/api/v1")]
    [InlineData("/api/v1/goods")]
    [InlineData("/healthz")]
    [InlineData("/readyz")]
    [InlineData("/metrics")]
    [InlineData("/openapi/v1.json")]
    public async Task HeadAnswersLikeGetWithoutABody(string path)
    {
        await using var shop = await ShopApp.StartAsync();

        var head = await shop.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, path), Ct);

        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync(Ct));
        var get = await shop.Client.GetAsync(path, Ct);
        Assert.Equal(get.Content.Headers.ContentType, head.Content.Headers.ContentType);
        Assert.True(head.Headers.Contains("X-Request-Id"));
    }

    [Fact]
    public async Task OnTheWireAHeadAnswerHasNoBodyAndTheNextAnswerFollowsAtOnce()
    {
        // HttpClient never reads a body after HEAD, so this looks at the bytes themselves: a HEAD
        // and a GET pipelined on one connection must come back as exactly two responses, the
        // first ending with its headers.
        await using var shop = await ShopApp.StartAsync();
        using var tcp = new System.Net.Sockets.TcpClient();
        await tcp.ConnectAsync(shop.BaseAddress.Host, shop.BaseAddress.Port, Ct);
        var stream = tcp.GetStream();
        var requests = "HEAD /api/v1/goods HTTP/1.1\r\nHost: shop\r\n\r\nGET /healthz HTTP/1.1\r\nHost: shop\r\nConnection: close\r\n\r\n";
        await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes(requests), Ct);

        using var reader = new StreamReader(stream, System.Text.Encoding.UTF8);
        var all = await reader.ReadToEndAsync(Ct);

        var second = all.IndexOf("HTTP/1.1 200", 1, StringComparison.Ordinal);
        Assert.True(second > 0, all);
        var first = all[..second];
        Assert.StartsWith("HTTP/1.1 200", first, StringComparison.Ordinal);
        Assert.EndsWith("\r\n\r\n", first, StringComparison.Ordinal);
        Assert.Equal(1, first.Split("\r\n\r\n").Length - 1);
        Assert.Contains("Content-Type: application/json", first, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("\"items\"", all, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HeadOfAGoodsHasItsETagAndNotModifiedWorks()
    {
        await using var shop = await ShopApp.StartAsync();
        using var admin = shop.AdminClient();
        var id = (long)(await Features.Goods.GoodsApiTests.CreateAsync(admin, "HEAD-1"))["id"]!;
        var etag = (await shop.Client.GetAsync($"/api/v1/goods/{id}", Ct)).Headers.ETag!;

        var head = await shop.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/api/v1/goods/{id}"), Ct);
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(etag, head.Headers.ETag);
        using var conditional = new HttpRequestMessage(HttpMethod.Head, $"/api/v1/goods/{id}") { Headers = { IfNoneMatch = { etag } } };
        Assert.Equal(HttpStatusCode.NotModified, (await shop.Client.SendAsync(conditional, Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await shop.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/api/v1/goods/987654"), Ct)).StatusCode);

        // The connection is still in step after bodiless answers: the next GET on it reads its own body.
        Assert.Equal("HEAD-1", (string?)System.Text.Json.Nodes.JsonNode.Parse(await shop.Client.GetStringAsync($"/api/v1/goods/{id}", Ct))!["sku"]);
    }

    [Fact]
    public async Task HeadIsLoggedAsHead()
    {
        await using var shop = await ShopApp.StartAsync();
        using var client = shop.CreateClient(("X-Request-Id", "head-1"));
        await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/api/v1/goods"), Ct);
        var lines = await shop.WaitForAccessLogAsync(l => l.Contains("head-1", StringComparison.Ordinal));
        Assert.Contains("\"HEAD /api/v1/goods HTTP/1.1\" 200 - ", Assert.Single(lines, l => l.Contains("head-1", StringComparison.Ordinal)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task HeadWhereThereIsNoGetIs405()
    {
        await using var shop = await ShopApp.StartAsync();
        var response = await shop.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/api/v1/goods/imports"), Ct);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal(["POST"], response.Content.Headers.Allow);
    }
}
