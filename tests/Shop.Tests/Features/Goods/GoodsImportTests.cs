using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Shop.Tests.Features.Jobs;

namespace Shop.Tests.Features.Goods;

public abstract class GoodsImportTests
{
    public sealed class OnSqlite : GoodsImportTests;

    public sealed class OnPostgres : GoodsImportTests, IOnPostgres;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    internal static async Task<JsonNode> ImportAsync(HttpClient admin, string body, string mediaType, bool bom = false)
    {
        var bytes = (bom ? Encoding.UTF8.GetPreamble() : []).Concat(Encoding.UTF8.GetBytes(body)).ToArray();
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(mediaType);
        var response = await admin.PostAsync("/api/v1/goods/imports", content, Ct);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var location = response.Headers.Location!.OriginalString;
        Assert.Matches(@"^/api/v1/jobs/\d+$", location);
        var accepted = await response.ReadJsonAsync();
        Assert.Equal("goods-import", (string?)accepted["kind"]);
        Assert.Equal("queued", (string?)accepted["status"]);
        return await JobTesting.WaitForJobAsync(admin, location, TimeSpan.FromMinutes(3));
    }

    internal static async Task<JsonNode> GoodsBySkuAsync(HttpClient client, string sku)
    {
        var page = await (await client.GetAsync($"/api/v1/goods?q=&per_page=100", Ct)).ReadJsonAsync();
        return page["items"]!.AsArray().Single(g => (string?)g!["sku"] == sku)!;
    }

    [Fact]
    public async Task CsvImportCreatesAndUpdatesBySkuAndReportsBadRowsWithTheirLines()
    {
        await using var shop = await ShopApp.StartAsync();
        using var admin = shop.AdminClient();
        await admin.PostAsync("/api/v1/goods", Http.Json("""{"sku":"OLD-1","name":"Old","price":1,"stock":7}"""), Ct);
        var csv = "sku,name,description,price,stock,category\r\n"
            + "NEW-1,Green tea,\"Loose, leaf\",12.50,3,tea\r\n"          // line 2
            + "NEW-2,\"Cup\",\"Two\nlines\",4,,cups\r\n"                   // lines 3-4
            + "BAD-1,Broken,,abc,1,\r\n"                                   // line 5: price not a number
            + "OLD-1,Renamed,,2.00,,\r\n"                                  // line 6: update, stock kept
            + ",No sku,,1,1,\r\n"                                          // line 7: sku missing
            + "BAD-2,Too precise,,1.234,1,\r\n";                           // line 8

        var job = await ImportAsync(admin, csv, "text/csv", bom: true);

        Assert.Equal("succeeded", (string?)job["status"]);
        var result = job["result"]!;
        Assert.Equal(2, (int)result["created"]!);
        Assert.Equal(1, (int)result["updated"]!);
        var failed = result["failed"]!.AsArray().Select(f => ((int)f!["line"]!, (string)f["error"]!)).ToList();
        Assert.Equal([5, 7, 8], failed.Select(f => f.Item1));
        Assert.Contains("price", failed[0].Item2, StringComparison.Ordinal);
        Assert.Contains("sku: is required", failed[1].Item2, StringComparison.Ordinal);
        Assert.Contains("at most 2 decimals", failed[2].Item2, StringComparison.Ordinal);
        var cup = await GoodsBySkuAsync(shop.Client, "NEW-2");
        Assert.Equal("Two\nlines", (string?)cup["description"]);
        Assert.Equal(0, (int)cup["stock"]!);
        var old = await GoodsBySkuAsync(shop.Client, "OLD-1");
        Assert.Equal("Renamed", (string?)old["name"]);
        Assert.Equal(7, (int)old["stock"]!);
        Assert.Equal("Loose, leaf", (string?)(await GoodsBySkuAsync(shop.Client, "NEW-1"))["description"]);
    }

    [Theory]
    [InlineData("\n")]
    [InlineData("\r\n")]
    public async Task AnUnterminatedQuoteIsReportedOnTheLineWhereItsRowStarts(string newline)
    {
        await using var shop = await ShopApp.StartAsync();
        using var admin = shop.AdminClient();
        var csv = string.Join(newline, "sku,name,description,price,stock,category", "OK-1,Fine,d,1,1,c", "Q-1,\"unterminated,d,1,1,c", "Q-2,Swallowed,d,1,1,c") + newline;

        var job = await ImportAsync(admin, csv, "text/csv");

        var failed = Assert.Single(job["result"]!["failed"]!.AsArray())!;
        Assert.Equal(3, (int)failed["line"]!);
        Assert.Contains("quote", (string?)failed["error"], StringComparison.Ordinal);
        Assert.Equal(1, (int)job["result"]!["created"]!);
    }

    [Fact]
    public async Task AJsonImportMayStartWithAByteOrderMark()
    {
        await using var shop = await ShopApp.StartAsync();
        using var admin = shop.AdminClient();
        var job = await ImportAsync(admin, """[{"sku":"BOM-1","name":"Marked","price":1}]""", "application/json", bom: true);
        Assert.Equal(1, (int)job["result"]!["created"]!);
    }

    [Fact]
    public async Task JsonImportReportsBadElementsByTheirIndex()
    {
        await using var shop = await ShopApp.StartAsync();
        using var admin = shop.AdminClient();
        var json = """[{"sku":"J-1","name":"One","price":1},{"sku":"J-2","price":1},42,{"sku":"J-3","name":"Three","price":3,"colour":"red"},{"sku":"J-4","name":"a","name":"b","price":1},{"sku":"J-5","name":"Five","price":5}]""";

        var job = await ImportAsync(admin, json, "application/json");

        var result = job["result"]!;
        Assert.Equal(2, (int)result["created"]!);
        var failed = result["failed"]!.AsArray();
        Assert.Equal([2, 3, 4, 5], failed.Select(f => (int)f!["line"]!));
        Assert.Contains("colour", (string?)failed[2]!["error"], StringComparison.Ordinal);
        Assert.Equal("name: appears twice", (string?)failed[3]!["error"]);
    }

    [Fact]
    public async Task ImportedNamesAreSearchableAtOnceAndRenamedOnesNoLonger()
    {
        await using var shop = await ShopApp.StartAsync();
        using var admin = shop.AdminClient();
        await admin.PostAsync("/api/v1/goods", Http.Json("""{"sku":"OLD-1","name":"Copper kettle","price":1,"stock":7}"""), Ct);
        var csv = "sku,name,description,price,stock,category\n"
            + "OLD-1,Steel teapot,,1,7,\n"
            + "NEW-1,Glass teapot,,2,1,\n";

        Assert.Equal("succeeded", (string?)(await ImportAsync(admin, csv, "text/csv"))["status"]);

        async Task<string[]> SearchAsync(string q) =>
            (await (await shop.Client.GetAsync($"/api/v1/goods?q={q}", Ct)).ReadJsonAsync())["items"]!.AsArray()
                .Select(g => (string)g!["sku"]!).ToArray();
        Assert.Empty(await SearchAsync("kettle"));
        Assert.Equal(["OLD-1", "NEW-1"], await SearchAsync("TEAPOT"));
        Assert.Equal(["NEW-1"], await SearchAsync("glass"));
    }

    [Fact]
    public async Task HundredThousandRowCsvImportFinishesWithCorrectCounts()
    {
        await using var shop = await ShopApp.StartAsync();
        using var admin = shop.AdminClient();
        var csv = new StringBuilder("sku,name,description,price,stock,category\n");
        for (var i = 1; i <= 100_000; i++)
        {
            csv.Append(i % 10_000 == 0 ? $"BULK-{i},,,1,1,bulk\n" : $"BULK-{i},Goods {i},\"Row {i}, quoted\",{i % 1000}.99,{i % 50},bulk\n");
        }

        var job = await ImportAsync(admin, csv.ToString(), "text/csv");

        Assert.Equal("succeeded", (string?)job["status"]);
        Assert.Equal(99_990, (int)job["result"]!["created"]!);
        Assert.Equal(0, (int)job["result"]!["updated"]!);
        Assert.Equal(Enumerable.Range(1, 10).Select(k => k * 10_000 + 1), job["result"]!["failed"]!.AsArray().Select(f => (int)f!["line"]!));
        var listing = await shop.Client.GetAsync("/api/v1/goods?category=bulk&per_page=1", Ct);
        Assert.Equal("99990", listing.Headers.GetValues("X-Total-Count").Single());
    }

    [Fact]
    public async Task ImportWithAWrongHeaderIsABadRequest()
    {
        await using var shop = await ShopApp.StartAsync();
        using var admin = shop.AdminClient();
        var response = await admin.PostAsync("/api/v1/goods/imports", new StringContent("sku,title,price\nA,B,1\n", Encoding.UTF8, "text/csv"), Ct);
        var problem = await response.AssertProblemAsync(400);
        Assert.Contains("header", (string?)problem["error"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task ImportOfAJsonObjectInsteadOfAnArrayIsABadRequest()
    {
        await using var shop = await ShopApp.StartAsync();
        using var admin = shop.AdminClient();
        var response = await admin.PostAsync("/api/v1/goods/imports", Http.Json("""{"sku":"A"}"""), Ct);
        await response.AssertProblemAsync(400, "A JSON import must be an array of goods");
    }

    [Fact]
    public async Task ImportInAnotherFormatIsUnsupported()
    {
        await using var shop = await ShopApp.StartAsync();
        using var admin = shop.AdminClient();
        var response = await admin.PostAsync("/api/v1/goods/imports", new StringContent("<goods/>", Encoding.UTF8, "application/xml"), Ct);
        await response.AssertProblemAsync(415);
    }

    [Theory]
    [InlineData("text/csv")]
    [InlineData("application/json")]
    public async Task ImportOfMoreThanAHundredThousandRowsIsTooLargeAndWritesNothing(string mediaType)
    {
        await using var shop = await ShopApp.StartAsync();
        using var admin = shop.AdminClient();
        var rows = Enumerable.Range(1, 100_001).Select(i => mediaType == "text/csv" ? $"R-{i},n,,1,1," : $$"""{"sku":"R-{{i}}","name":"n","price":1}""");
        var body = mediaType == "text/csv" ? "sku,name,description,price,stock,category\n" + string.Join("\n", rows) : "[" + string.Join(",", rows) + "]";

        var response = await admin.PostAsync("/api/v1/goods/imports", new StringContent(body, Encoding.UTF8, mediaType), Ct);

        await response.AssertProblemAsync(413, "An import holds at most 100000 rows");
        Assert.Equal("0", (await admin.GetAsync("/api/v1/goods?per_page=1", Ct)).Headers.GetValues("X-Total-Count").Single());
    }

    [Fact]
    public async Task ImportOverTwentyMebibytesIsTooLarge()
    {
        await using var shop = await ShopApp.StartAsync();
        // Over a raw socket: the server answers 413 from the headers, and an HTTP client that is
        // still sending the 21 MiB would see a broken pipe instead of the answer.
        using var tcp = new System.Net.Sockets.TcpClient();
        await tcp.ConnectAsync(shop.BaseAddress.Host, shop.BaseAddress.Port, Ct);
        await using var stream = tcp.GetStream();
        var head = $"POST /api/v1/goods/imports HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {shop.AdminToken}\r\nContent-Type: text/csv\r\n"
            + $"Content-Length: {21 * 1024 * 1024}\r\nExpect: 100-continue\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head), Ct);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var status = await reader.ReadLineAsync(Ct);
        Assert.Equal("HTTP/1.1 413 Payload Too Large", status);
    }

    [Fact]
    public async Task AnAnonymousImportOverOneMebibyteIs401AndItsConnectionServesTheNextRequest()
    {
        // nginx keeps its connections to Shop open: an import answered before its body is read must
        // still be read to its end, or the next request on that connection meets the rest of it.
        await using var shop = await ShopApp.StartAsync();
        using var tcp = new System.Net.Sockets.TcpClient();
        await tcp.ConnectAsync(shop.BaseAddress.Host, shop.BaseAddress.Port, Ct);
        await using var stream = tcp.GetStream();
        var csv = Encoding.UTF8.GetBytes("sku,name,price\n" + string.Concat(Enumerable.Range(1, 60_000).Select(i => $"ANON-{i},Anonymous {i},1\n")));
        Assert.True(csv.Length > 1024 * 1024);
        var head = $"POST /api/v1/goods/imports HTTP/1.1\r\nHost: x\r\nContent-Type: text/csv\r\nContent-Length: {csv.Length}\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head), Ct);
        await stream.WriteAsync(csv, Ct);
        await stream.WriteAsync("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"u8.ToArray(), Ct);

        using var reader = new StreamReader(stream, Encoding.UTF8);
        var all = await reader.ReadToEndAsync(Ct);

        Assert.StartsWith("HTTP/1.1 401 Unauthorized\r\n", all, StringComparison.Ordinal);
        Assert.Contains("\r\nHTTP/1.1 200 OK\r\n", all, StringComparison.Ordinal);
        Assert.DoesNotContain(" 413 ", all, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ImportOfTwoMebibytesIsAcceptedDespiteTheServiceWideLimit()
    {
        await using var shop = await ShopApp.StartAsync();
        using var admin = shop.AdminClient();
        var csv = new StringBuilder("sku,name,price\n");
        var row = 0;
        while (csv.Length < 2 * 1024 * 1024)
        {
            csv.Append($"BIG-{++row},{new string('x', 150)},1\n");
        }
        var job = await ImportAsync(admin, csv.ToString(), "text/csv");
        Assert.Equal(row, (int)job["result"]!["created"]!);
    }

    [Fact]
    public async Task ImportIsForAdminsOnly()
    {
        await using var shop = await ShopApp.StartAsync();
        var response = await shop.Client.PostAsync("/api/v1/goods/imports", new StringContent("sku,name,price\n", Encoding.UTF8, "text/csv"), Ct);
        await response.AssertProblemAsync(401);
    }
}
