using System.Net;
using System.Text;
using Shop.Tests.Features.Goods;

namespace Shop.Tests.Rest;

/// <summary>Inputs meant to break things: none may yield a 500, and stored text comes back verbatim.</summary>
public sealed class HostileInputTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("Robert'); DROP TABLE goods;--")]
    [InlineData("' OR '1'='1")]
    [InlineData("<script>alert(1)</script>")]
    [InlineData("ﷺ مرحبا עברית \u202E reversed")]
    [InlineData("👩‍👩‍👧‍👦 family emoji")]
    [InlineData("%_\\ wildcards")]
    [InlineData("line\nbreak\ttab")]
    public async Task HostileTextIsStoredAndReturnedVerbatim(string name)
    {
        await using var shop = await ShopApp.StartAsync();
        using var admin = shop.AdminClient();
        var created = await GoodsApiTests.CreateAsync(admin, "H-1", name: name);
        var read = await (await shop.Client.GetAsync($"/api/v1/goods/{created["id"]}", Ct)).ReadJsonAsync();
        Assert.Equal(name, (string?)read["name"]);
        var search = await (await shop.Client.GetAsync($"/api/v1/goods?q={Uri.EscapeDataString(name)}", Ct)).ReadJsonAsync();
        Assert.Equal(1, (int)search["total"]!);
        Assert.Equal(1, (int)(await (await shop.Client.GetAsync("/api/v1/goods", Ct)).ReadJsonAsync())["total"]!);
    }

    [Theory]
    [InlineData("/api/v1/goods?q=' OR 1=1 --")]
    [InlineData("/api/v1/goods?q=%00")]
    [InlineData("/api/v1/goods?category=%00%FF")]
    [InlineData("/api/v1/goods?sort=id;DROP TABLE goods")]
    [InlineData("/api/v1/goods?fields=id%00")]
    [InlineData("/api/v1/goods?min_price=1e400")]
    [InlineData("/api/v1/goods?max_price=NaN")]
    [InlineData("/api/v1/goods?limit=99999999999999999999999")]
    [InlineData("/api/v1/goods?offset=2147483648")]
    [InlineData("/api/v1/goods/0x10")]
    [InlineData("/api/v1/goods/%2e%2e/%2e%2e/etc/passwd")]
    public async Task HostileQueriesNeverYieldA500(string uri)
    {
        await using var shop = await ShopApp.StartAsync();
        var response = await shop.Client.GetAsync(uri, Ct);
        Assert.True((int)response.StatusCode < 500, $"{uri} gave {(int)response.StatusCode}");
        if (!response.IsSuccessStatusCode)
        {
            await response.AssertProblemAsync((int)response.StatusCode);
        }
    }

    [Theory]
    [InlineData("""{"sku":"N","name":"N","price":1e400}""")]
    [InlineData("""{"sku":"N","name":"N","price":99999999999999999999999999999999}""")]
    [InlineData("""{"sku":"N","name":"N","price":1,"stock":99999999999999999999}""")]
    [InlineData("""{"sku":"N","name":"N","price":1,"stock":-99999999999999999999}""")]
    [InlineData("""{"sku":"N","name":"N","price":NaN}""")]
    [InlineData("""{"sku":"N","name":"N","price":1,"stock":true}""")]
    [InlineData("""{"sku":"N","name":{"nested":1},"price":1}""")]
    [InlineData("""{"sku":["N"],"name":"N","price":1}""")]
    [InlineData("""{"sku":"N","name":"N","price":1,"__proto__":{}}""")]
    public async Task HostileBodiesAre400(string json)
    {
        await using var shop = await ShopApp.StartAsync();
        using var admin = shop.AdminClient();
        var response = await admin.PostAsync("/api/v1/goods", Http.Json(json), Ct);
        await response.AssertProblemAsync(400);
    }

    [Fact]
    public async Task DeeplyNestedJsonIs400()
    {
        await using var shop = await ShopApp.StartAsync();
        using var admin = shop.AdminClient();
        var deep = "{\"sku\":" + new string('[', 5000) + new string(']', 5000) + "}";
        await (await admin.PostAsync("/api/v1/goods", Http.Json(deep), Ct)).AssertProblemAsync(400);
    }

    [Fact]
    public async Task InvalidUtf8Is400()
    {
        await using var shop = await ShopApp.StartAsync();
        using var admin = shop.AdminClient();
        var bytes = Encoding.UTF8.GetBytes("""{"sku":"U","name":"X","price":1}""");
        bytes[Array.IndexOf(bytes, (byte)'X')] = 0xFF;
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new("application/json");
        await (await admin.PostAsync("/api/v1/goods", content, Ct)).AssertProblemAsync(400);
    }

    [Fact]
    public async Task NullBytesInTextFieldsAreRejectedNotTruncated()
    {
        await using var shop = await ShopApp.StartAsync();
        using var admin = shop.AdminClient();
        var response = await admin.PostAsync("/api/v1/goods", Http.Json("""{"sku":"Z","name":"ok","description":"a\u0000b","price":1}"""), Ct);
        var body = await response.AssertProblemAsync(400);
        Assert.NotNull(body["errors"]!["description"]);
    }

    [Theory]
    [InlineData(150)]
    [InlineData(900)]
    public async Task TooManyHeaderFieldsAreAProblem431(int count)
    {
        await using var shop = await ShopApp.StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/goods");
        for (var i = 0; i < count; i++)
        {
            request.Headers.TryAddWithoutValidation($"X-H{i}", "v");
        }
        await (await shop.Client.SendAsync(request, Ct)).AssertProblemAsync(431, "More than 100 request header fields");
    }

    [Theory]
    [InlineData(40_000)]
    [InlineData(500_000)]
    public async Task AHugeRequestHeaderIsRefusedWithoutCrashing(int length)
    {
        await using var shop = await ShopApp.StartAsync();
        using var client = shop.CreateClient(("X-Junk", new string('j', length)));
        var response = await client.GetAsync("/api/v1/goods", Ct);
        await response.AssertProblemAsync(431);
        Assert.Equal(HttpStatusCode.OK, (await shop.Client.GetAsync("/healthz", Ct)).StatusCode);
    }

    [Fact]
    public async Task AnAnswerThatLeavesABodyOverTheLimitUnreadClosesTheConnection()
    {
        // Headers only: the anonymous write is answered before its 2 MiB body would be read, and
        // nothing may be sent after it on a connection that still owes those bytes.
        await using var shop = await ShopApp.StartAsync();
        using var tcp = new System.Net.Sockets.TcpClient();
        await tcp.ConnectAsync(shop.BaseAddress.Host, shop.BaseAddress.Port, Ct);
        await using var stream = tcp.GetStream();
        var head = $"POST /api/v1/goods HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {2 * 1024 * 1024}\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head), Ct);

        using var reader = new StreamReader(stream, Encoding.UTF8);
        var headers = new List<string>();
        for (var line = await reader.ReadLineAsync(Ct); !string.IsNullOrEmpty(line); line = await reader.ReadLineAsync(Ct))
        {
            headers.Add(line);
        }

        Assert.Equal("HTTP/1.1 401 Unauthorized", headers[0]);
        Assert.Contains("Connection: close", headers);
    }
}
