using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;

namespace Shop.Tests.Features.Goods;

public abstract class GoodsListingTests
{
    public sealed class OnSqlite : GoodsListingTests;

    public sealed class OnPostgres : GoodsListingTests, IOnPostgres;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<ShopApp> StartWithGoodsAsync(int count)
    {
        var shop = await ShopApp.StartAsync();
        using var admin = shop.AdminClient();
        for (var i = 1; i <= count; i++)
        {
            await GoodsApiTests.CreateAsync(admin, $"G-{i:D3}", price: i, stock: i % 3, name: $"Goods {i}", category: i % 2 == 0 ? "even" : "odd");
        }
        return shop;
    }

    private static async Task<(JsonNode Body, HttpResponseMessage Response)> GetAsync(ShopApp shop, string uri)
    {
        var response = await shop.Client.GetAsync(uri, Ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync(Ct));
        return (await response.ReadJsonAsync(), response);
    }

    private static string[] Skus(JsonNode body) => body["items"]!.AsArray().Select(i => (string)i!["sku"]!).ToArray();

    private static Dictionary<string, string> Links(HttpResponseMessage response) =>
        response.Headers.GetValues("Link").Single().Split(", ")
            .Select(l => l.Split("; rel="))
            .ToDictionary(p => p[1].Trim('"'), p => p[0].Trim('<', '>'));

    [Fact]
    public async Task TheFirstPageHasTheEnvelopeTotalAndLinks()
    {
        await using var shop = await StartWithGoodsAsync(5);
        var (body, response) = await GetAsync(shop, "/api/v1/goods?per_page=2");

        Assert.Equal(["G-001", "G-002"], Skus(body));
        Assert.Equal(5, (int)body["total"]!);
        Assert.Equal(2, (int)body["limit"]!);
        Assert.Equal(0, (int)body["offset"]!);
        Assert.Equal("5", response.Headers.GetValues("X-Total-Count").Single());
        var links = Links(response);
        Assert.Equal("/api/v1/goods?page=1&per_page=2", links["first"]);
        Assert.Equal("/api/v1/goods?page=2&per_page=2", links["next"]);
        Assert.Equal("/api/v1/goods?page=3&per_page=2", links["last"]);
        Assert.False(links.ContainsKey("prev"));
    }

    [Fact]
    public async Task TheLastPageHasPrevButNoNext()
    {
        await using var shop = await StartWithGoodsAsync(5);
        var (body, response) = await GetAsync(shop, "/api/v1/goods?page=3&per_page=2");
        Assert.Equal(["G-005"], Skus(body));
        Assert.Equal(4, (int)body["offset"]!);
        var links = Links(response);
        Assert.Equal("/api/v1/goods?page=2&per_page=2", links["prev"]);
        Assert.False(links.ContainsKey("next"));
    }

    [Fact]
    public async Task ListingBeyondLastPageReturnsEmptyItems()
    {
        await using var shop = await StartWithGoodsAsync(3);
        var (body, response) = await GetAsync(shop, "/api/v1/goods?page=9&per_page=2");
        Assert.Empty(body["items"]!.AsArray());
        Assert.Equal(3, (int)body["total"]!);
        Assert.Equal("/api/v1/goods?page=2&per_page=2", Links(response)["last"]);
        Assert.Equal("/api/v1/goods?page=2&per_page=2", Links(response)["prev"]);
    }

    [Theory]
    [InlineData("offset=3")]
    [InlineData("offset=4")]
    [InlineData("offset=500")]
    public async Task BeyondTheEndPrevIsAlwaysTheLastPage(string offset)
    {
        await using var shop = await StartWithGoodsAsync(3);
        var (_, response) = await GetAsync(shop, $"/api/v1/goods?limit=2&{offset}");
        Assert.Equal("/api/v1/goods?limit=2&offset=2", Links(response)["prev"]);
        Assert.Equal("/api/v1/goods?limit=2&offset=2", Links(response)["last"]);
    }

    [Fact]
    public async Task LinksReplacePagingParametersWrittenInAnyCase()
    {
        await using var shop = await StartWithGoodsAsync(5);
        var (body, response) = await GetAsync(shop, "/api/v1/goods?PAGE=2&Per_Page=2");
        Assert.Equal(["G-003", "G-004"], Skus(body));
        var links = Links(response);
        Assert.Equal("/api/v1/goods?page=1&per_page=2", links["first"]);
        Assert.Equal("/api/v1/goods?page=3&per_page=2", links["next"]);
        var (followed, _) = await GetAsync(shop, links["next"]);
        Assert.Equal(["G-005"], Skus(followed));
    }

    [Fact]
    public async Task LimitAndOffsetStyleIsAnsweredInTheSameStyle()
    {
        await using var shop = await StartWithGoodsAsync(5);
        var (body, response) = await GetAsync(shop, "/api/v1/goods?limit=2&offset=1&category=odd");
        Assert.Equal(["G-003", "G-005"], Skus(body));
        Assert.Equal(1, (int)body["offset"]!);
        var links = Links(response);
        Assert.Equal("/api/v1/goods?category=odd&limit=2&offset=0", links["first"]);
        Assert.Equal("/api/v1/goods?category=odd&limit=2&offset=0", links["prev"]);
        Assert.Equal("/api/v1/goods?category=odd&limit=2&offset=2", links["last"]);
        Assert.False(links.ContainsKey("next"));
    }

    [Fact]
    public async Task PerPage100IsAllowed()
    {
        await using var shop = await StartWithGoodsAsync(1);
        var (body, _) = await GetAsync(shop, "/api/v1/goods?per_page=100");
        Assert.Equal(100, (int)body["limit"]!);
    }

    [Theory]
    [InlineData("per_page=101", "per_page")]
    [InlineData("page=1&page=2", "page")]
    [InlineData("sort=colour", "sort")]
    [InlineData("sort=price,,id", "sort")]
    [InlineData("fields=id,secret", "fields")]
    [InlineData("min_price=abc", "min_price")]
    [InlineData("max_price=-1", "max_price")]
    [InlineData("min_price=5&max_price=1", "min_price")]
    [InlineData("in_stock=maybe", "in_stock")]
    [InlineData("in_stock=1", "in_stock")]
    [InlineData("in_stock=0", "in_stock")]
    // The edge cases of paging, sort and field lists are Rest/PagingTests; these show the goods listing uses them.
    public async Task BadQueryParametersAre400NamingTheParameter(string query, string parameter)
    {
        await using var shop = await ShopApp.StartAsync();
        var response = await shop.Client.GetAsync($"/api/v1/goods?{query}", Ct);
        var body = await response.AssertProblemAsync(400, "Validation failed");
        Assert.NotNull(body["errors"]![parameter]);
    }

    [Fact]
    public async Task MixingPagingStylesIs400()
    {
        await using var shop = await ShopApp.StartAsync();
        var response = await shop.Client.GetAsync("/api/v1/goods?page=1&limit=5", Ct);
        await response.AssertProblemAsync(400, "Use either page and per_page or limit and offset, not both");
    }

    [Fact]
    public async Task SortOrdersByListedFieldsWithDescending()
    {
        await using var shop = await StartWithGoodsAsync(6);
        var (byStockThenPriceDesc, _) = await GetAsync(shop, "/api/v1/goods?sort=stock,-price");
        Assert.Equal(["G-006", "G-003", "G-004", "G-001", "G-005", "G-002"], Skus(byStockThenPriceDesc));
        var (byNameDesc, _) = await GetAsync(shop, "/api/v1/goods?sort=-name&per_page=2");
        Assert.Equal(["G-006", "G-005"], Skus(byNameDesc));
    }

    [Fact]
    public async Task FiltersCombine()
    {
        await using var shop = await StartWithGoodsAsync(9);
        var (body, _) = await GetAsync(shop, "/api/v1/goods?category=odd&min_price=3&max_price=7&in_stock=true");
        Assert.Equal(["G-005", "G-007"], Skus(body));
        var (outOfStock, _) = await GetAsync(shop, "/api/v1/goods?in_stock=false");
        Assert.Equal(["G-003", "G-006", "G-009"], Skus(outOfStock));
        var (inclusive, _) = await GetAsync(shop, "/api/v1/goods?min_price=2&max_price=2.00");
        Assert.Equal(["G-002"], Skus(inclusive));
    }

    [Fact]
    public async Task SearchIsLiteralAndCaseInsensitiveInEveryScript()
    {
        await using var shop = await ShopApp.StartAsync();
        using var admin = shop.AdminClient();
        await GoodsApiTests.CreateAsync(admin, "A", name: "ÄPFEL aus Österreich");
        await GoodsApiTests.CreateAsync(admin, "B", name: "ЧАЙ чёрный");
        await GoodsApiTests.CreateAsync(admin, "C", name: "100% cotton_shirt");
        await GoodsApiTests.CreateAsync(admin, "D", name: "100 cottonXshirt");
        await GoodsApiTests.CreateAsync(admin, "E", name: "ΟΔΥΣΣΕΑΣ");

        Assert.Equal(["A"], Skus((await GetAsync(shop, "/api/v1/goods?q=äpfel")).Body));
        Assert.Equal(["B"], Skus((await GetAsync(shop, "/api/v1/goods?q=чай")).Body));
        Assert.Equal(["C"], Skus((await GetAsync(shop, "/api/v1/goods?q=0%25%20cotton_")).Body));
        Assert.Equal(["E"], Skus((await GetAsync(shop, "/api/v1/goods?q=οδυσσεας")).Body));
        Assert.Equal(["C"], Skus((await GetAsync(shop, "/api/v1/goods?q=%25")).Body));
    }

    [Fact]
    public async Task SearchFindsTextsShorterThanATrigramAndLonger()
    {
        await using var shop = await ShopApp.StartAsync();
        using var admin = shop.AdminClient();
        await GoodsApiTests.CreateAsync(admin, "A", name: "Ölkanne_7");
        await GoodsApiTests.CreateAsync(admin, "B", name: "Teekanne 17");
        await GoodsApiTests.CreateAsync(admin, "C", name: "Tasse");

        Assert.Equal(["A", "B"], Skus((await GetAsync(shop, "/api/v1/goods?q=7")).Body));
        Assert.Equal(["B"], Skus((await GetAsync(shop, "/api/v1/goods?q=17")).Body));
        Assert.Equal(["A"], Skus((await GetAsync(shop, "/api/v1/goods?q=%C3%B6")).Body));
        Assert.Equal(["A"], Skus((await GetAsync(shop, "/api/v1/goods?q=_")).Body));
        Assert.Equal(["A"], Skus((await GetAsync(shop, "/api/v1/goods?q=e_7")).Body));
        Assert.Equal(["A", "B"], Skus((await GetAsync(shop, "/api/v1/goods?q=KANNE")).Body));
        Assert.Equal(["B", "C"], Skus((await GetAsync(shop, "/api/v1/goods?q=t")).Body));
        Assert.Empty(Skus((await GetAsync(shop, "/api/v1/goods?q=kanne%20%20")).Body));
        Assert.Empty(Skus((await GetAsync(shop, "/api/v1/goods?q=%22kanne%22")).Body));
        var (both, response) = await GetAsync(shop, "/api/v1/goods?q=anne&per_page=1");
        Assert.Equal(["A"], Skus(both));
        Assert.Equal("2", response.Headers.GetValues("X-Total-Count").Single());
    }

    [Fact]
    public async Task SearchSeesEveryWriteAtOnce()
    {
        await using var shop = await ShopApp.StartAsync();
        using var admin = shop.AdminClient();
        var kettle = await GoodsApiTests.CreateAsync(admin, "K", name: "Blue kettle");
        Assert.Equal(["K"], Skus((await GetAsync(shop, "/api/v1/goods?q=kettle")).Body));

        var renamed = await admin.PatchAsync($"/api/v1/goods/{kettle["id"]}", Http.Json("""{"name": "Red teapot"}"""), Ct);
        Assert.Equal(HttpStatusCode.OK, renamed.StatusCode);
        Assert.Empty(Skus((await GetAsync(shop, "/api/v1/goods?q=kettle")).Body));
        Assert.Equal(["K"], Skus((await GetAsync(shop, "/api/v1/goods?q=teapot")).Body));

        await GoodsApiTests.CreateAsync(admin, "L", name: "Green teapot");
        var (found, response) = await GetAsync(shop, "/api/v1/goods?q=teapot");
        Assert.Equal(["K", "L"], Skus(found));
        Assert.Equal("2", response.Headers.GetValues("X-Total-Count").Single());

        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api/v1/goods/{kettle["id"]}", Ct)).StatusCode);
        var (left, afterDelete) = await GetAsync(shop, "/api/v1/goods?q=teapot");
        Assert.Equal(["L"], Skus(left));
        Assert.Equal("1", afterDelete.Headers.GetValues("X-Total-Count").Single());
    }

    [Fact]
    public async Task TotalsFollowEveryWriteThatMovesGoodsInOrOutOfAFilter()
    {
        await using var shop = await StartWithGoodsAsync(4);
        using var admin = shop.AdminClient();
        async Task<string> TotalAsync(string query) =>
            (await GetAsync(shop, "/api/v1/goods" + query)).Response.Headers.GetValues("X-Total-Count").Single();
        string[] queries = ["", "?category=even", "?min_price=3", "?in_stock=true", "?q=goods"];
        Assert.Equal(["4", "2", "2", "3", "4"], await Task.WhenAll(queries.Select(TotalAsync)));

        await admin.PatchAsync("/api/v1/goods/1", Http.Json("""{"description": "no filter sees this"}"""), Ct);
        Assert.Equal(["4", "2", "2", "3", "4"], await Task.WhenAll(queries.Select(TotalAsync)));

        await admin.PatchAsync("/api/v1/goods/1", Http.Json("""{"category": "even", "price": 5, "stock": 0, "name": "Kettle"}"""), Ct);
        Assert.Equal(["4", "3", "3", "2", "3"], await Task.WhenAll(queries.Select(TotalAsync)));

        await GoodsApiTests.CreateAsync(admin, "NEW", price: 10, stock: 1, name: "Goods new", category: "even");
        Assert.Equal(["5", "4", "4", "3", "4"], await Task.WhenAll(queries.Select(TotalAsync)));

        await admin.DeleteAsync("/api/v1/goods/2", Ct);
        Assert.Equal(["4", "3", "4", "2", "3"], await Task.WhenAll(queries.Select(TotalAsync)));
    }

    [Fact]
    public async Task FieldsSelectsMembersInTheGivenOrder()
    {
        await using var shop = await StartWithGoodsAsync(2);
        var (body, _) = await GetAsync(shop, "/api/v1/goods?fields=price,id");
        var first = body["items"]![0]!.AsObject();
        Assert.Equal(["price", "id"], first.Select(p => p.Key));
        Assert.Equal(1m, (decimal)first["price"]!);
    }

    [Fact]
    public async Task CsvHasAHeaderRowAndTheSameFiltersAndPaging()
    {
        await using var shop = await StartWithGoodsAsync(4);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/goods?category=even&fields=sku,price,name");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/csv"));
        var response = await shop.Client.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal("2", response.Headers.GetValues("X-Total-Count").Single());
        var lines = (await response.Content.ReadAsStringAsync(Ct)).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["sku,price,name", "G-002,2,Goods 2", "G-004,4,Goods 4"], lines);
    }

    [Fact]
    public async Task CsvQuotesCommasQuotesAndNewlines()
    {
        await using var shop = await ShopApp.StartAsync();
        using var admin = shop.AdminClient();
        await GoodsApiTests.CreateAsync(admin, "Q", name: "Tea, \"green\"\nfresh");
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/goods?fields=sku,name");
        request.Headers.Accept.ParseAdd("text/csv");
        var text = await (await shop.Client.SendAsync(request, Ct)).Content.ReadAsStringAsync(Ct);
        Assert.Equal("sku,name\r\nQ,\"Tea, \"\"green\"\"\nfresh\"\r\n", text);
    }

    [Theory]
    // The Accept edge cases are Rest/NegotiationTests.
    [InlineData("text/html", 406)]
    [InlineData("text/html, application/json;q=0.5", 200)]
    public async Task AcceptIsNegotiated(string accept, int status)
    {
        await using var shop = await ShopApp.StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/goods");
        request.Headers.TryAddWithoutValidation("Accept", accept);
        var response = await shop.Client.SendAsync(request, Ct);
        if (status == 406)
        {
            await response.AssertProblemAsync(406);
        }
        else
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("application/json", response.Content.Headers.ContentType!.MediaType);
        }
    }

    [Fact]
    public async Task ASingleGoodsIsNotAvailableAsCsv()
    {
        await using var shop = await StartWithGoodsAsync(1);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/goods/1");
        request.Headers.Accept.ParseAdd("text/csv");
        await (await shop.Client.SendAsync(request, Ct)).AssertProblemAsync(406);
    }
}
