using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;

namespace Shop.Tests.Features.Goods;

/// <summary>
/// Prices are never rounded: more than 2 decimals is a 400 (or a bad import row) however many
/// digits the number has, so also beyond the 28-29 significant digits a decimal can hold.
/// </summary>
public abstract class GoodsMoneyTests
{
    public sealed class OnSqlite : GoodsMoneyTests;

    public sealed class OnPostgres : GoodsMoneyTests, IOnPostgres;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    // Every notation is covered by Rest/MoneyTests; a few show that each write path uses the exact reading.
    [Theory]
    [InlineData("1.00000000000000000000000000001")]
    [InlineData("0.1e-400")]
    [InlineData("-1.001")]
    public async Task CreatingWithMoreThanTwoDecimalsIsABadRequestWhateverTheDigits(string price)
    {
        await using var shop = await ShopApp.StartAsync();
        using var admin = shop.AdminClient();
        var response = await admin.PostAsync("/api/v1/goods", Http.Json($$"""{"sku":"S","name":"N","price":{{price}}}"""), Ct);
        await AssertPriceErrorAsync(response, "must have at most 2 decimals");
    }

    [Theory]
    [InlineData("1e400")]
    [InlineData("1E30")]
    [InlineData("99999999999999999999999999999999999999")]
    [InlineData("1000000.01")]
    public async Task HugePricesAreABadRequest(string price)
    {
        await using var shop = await ShopApp.StartAsync();
        using var admin = shop.AdminClient();
        var response = await admin.PostAsync("/api/v1/goods", Http.Json($$"""{"sku":"S","name":"N","price":{{price}}}"""), Ct);
        await AssertPriceErrorAsync(response, null);
        Assert.Empty((await (await shop.Client.GetAsync("/api/v1/goods", Ct)).ReadJsonAsync())["items"]!.AsArray());
    }

    [Theory]
    [InlineData("1.100", "1.1")]
    [InlineData("0e-999", "0")]
    [InlineData("12.5E+1", "125")]
    public async Task ExactPricesInAnyNotationAreCreatedWithTheirValue(string price, string value)
    {
        await using var shop = await ShopApp.StartAsync();
        using var admin = shop.AdminClient();
        var response = await admin.PostAsync("/api/v1/goods", Http.Json($$"""{"sku":"S","name":"N","price":{{price}}}"""), Ct);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(decimal.Parse(value, CultureInfo.InvariantCulture), (decimal)(await response.ReadJsonAsync())["price"]!);
    }

    [Theory]
    [InlineData("1E-30")]
    [InlineData("1.001")]
    public async Task ReplacingWithMoreThanTwoDecimalsIsABadRequestAndChangesNothing(string price)
    {
        await using var shop = await ShopApp.StartAsync();
        using var admin = shop.AdminClient();
        var id = await CreateAsync(admin);
        var response = await admin.PutAsync($"/api/v1/goods/{id}", Http.Json($$"""{"sku":"S","name":"N","price":{{price}}}"""), Ct);
        await AssertPriceErrorAsync(response, "must have at most 2 decimals");
        Assert.Equal(5m, await PriceOfAsync(shop, id));
    }

    [Theory]
    [InlineData("1.00000000000000000000000000001")]
    [InlineData("1.001")]
    public async Task PatchingWithMoreThanTwoDecimalsIsABadRequestAndChangesNothing(string price)
    {
        await using var shop = await ShopApp.StartAsync();
        using var admin = shop.AdminClient();
        var id = await CreateAsync(admin);
        var response = await admin.PatchAsync($"/api/v1/goods/{id}", Http.Json($$"""{"price":{{price}}}""", "application/merge-patch+json"), Ct);
        await AssertPriceErrorAsync(response, "must have at most 2 decimals");
        Assert.Equal(5m, await PriceOfAsync(shop, id));
    }

    [Theory]
    [InlineData("11e-1", "1.1")]
    [InlineData("1000000.00000000000000000000000000000000", "1000000")]
    public async Task ReplacingAndPatchingWithExactPricesInAnyNotationKeepTheirValue(string price, string value)
    {
        await using var shop = await ShopApp.StartAsync();
        using var admin = shop.AdminClient();
        var id = await CreateAsync(admin);
        var put = await admin.PutAsync($"/api/v1/goods/{id}", Http.Json($$"""{"sku":"S","name":"N","price":{{price}}}"""), Ct);
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.Equal(decimal.Parse(value, CultureInfo.InvariantCulture), await PriceOfAsync(shop, id));
        await admin.PatchAsync($"/api/v1/goods/{id}", Http.Json("""{"price":7}""", "application/merge-patch+json"), Ct);
        var patch = await admin.PatchAsync($"/api/v1/goods/{id}", Http.Json($$"""{"price":{{price}}}""", "application/merge-patch+json"), Ct);
        Assert.Equal(HttpStatusCode.OK, patch.StatusCode);
        Assert.Equal(decimal.Parse(value, CultureInfo.InvariantCulture), await PriceOfAsync(shop, id));
    }

    [Fact]
    public async Task JsonImportReportsTooPrecisePricesAsBadElementsAndImportsTheOthers()
    {
        await using var shop = await ShopApp.StartAsync();
        using var admin = shop.AdminClient();
        var json = """
            [{"sku":"J-1","name":"One","price":11e-1},
             {"sku":"J-2","name":"Two","price":1.00000000000000000000000000001},
             {"sku":"J-3","name":"Three","price":1E-30},
             {"sku":"J-4","name":"Four","price":1.100}]
            """;

        var job = await GoodsImportTests.ImportAsync(admin, json, "application/json");

        var result = job["result"]!;
        Assert.Equal(2, (int)result["created"]!);
        Assert.Equal([(2, "price: must have at most 2 decimals"), (3, "price: must have at most 2 decimals")], Failures(result));
        Assert.Equal(1.1m, (decimal)(await GoodsImportTests.GoodsBySkuAsync(shop.Client, "J-1"))["price"]!);
        Assert.Equal(1.1m, (decimal)(await GoodsImportTests.GoodsBySkuAsync(shop.Client, "J-4"))["price"]!);
    }

    [Fact]
    public async Task CsvImportReportsTooPrecisePricesAsBadRowsWithTheirLinesAndImportsTheOthers()
    {
        await using var shop = await ShopApp.StartAsync();
        using var admin = shop.AdminClient();
        var csv = "sku,name,price\n"
            + "C-1,One,1.100\n"                                  // line 2
            + "C-2,Two,1.000000000000000000000000000000001\n"    // line 3
            + "C-3,Three,11e-1\n"                                // line 4
            + "C-4,Four,1E-30\n"                                 // line 5
            + "C-5,Five,1e400\n"                                 // line 6
            + "C-6,Six,0\n";                                     // line 7

        var job = await GoodsImportTests.ImportAsync(admin, csv, "text/csv");

        var result = job["result"]!;
        Assert.Equal(3, (int)result["created"]!);
        var failed = Failures(result);
        Assert.Equal([3, 5], failed.Take(2).Select(f => f.Line));
        Assert.All(failed.Take(2), f => Assert.Equal("price: must have at most 2 decimals", f.Error));
        Assert.Equal(6, failed[2].Line);
        Assert.StartsWith("price: ", failed[2].Error, StringComparison.Ordinal);
        Assert.Equal(1.1m, (decimal)(await GoodsImportTests.GoodsBySkuAsync(shop.Client, "C-1"))["price"]!);
        Assert.Equal(1.1m, (decimal)(await GoodsImportTests.GoodsBySkuAsync(shop.Client, "C-3"))["price"]!);
        Assert.Equal(0m, (decimal)(await GoodsImportTests.GoodsBySkuAsync(shop.Client, "C-6"))["price"]!);
    }

    [Theory]
    [InlineData("min_price=1.001", "min_price", "must have at most 2 decimals")]
    [InlineData("max_price=1.001", "max_price", "must have at most 2 decimals")]
    [InlineData("min_price=1E-30", "min_price", "must have at most 2 decimals")]
    [InlineData("max_price=1.00000000000000000000000000001", "max_price", "must have at most 2 decimals")]
    [InlineData("max_price=1e400", "max_price", "must be a number from 0 to 1000000")]
    [InlineData("min_price=-1", "min_price", "must be a number from 0 to 1000000")]
    public async Task PriceFiltersWithMoreThanTwoDecimalsAreABadRequestNamingTheParameter(string query, string parameter, string message)
    {
        await using var shop = await ShopApp.StartAsync();
        var response = await shop.Client.GetAsync($"/api/v1/goods?{query}", Ct);
        var body = await response.AssertProblemAsync(400, "Validation failed");
        Assert.Equal([message], body["errors"]![parameter]!.AsArray().Select(m => (string?)m));
    }

    [Fact]
    public async Task PriceFiltersInAnyExactNotationSelectByTheirValue()
    {
        await using var shop = await ShopApp.StartAsync();
        using var admin = shop.AdminClient();
        foreach (var (sku, price) in new[] { ("P-1", "1.09"), ("P-2", "1.1"), ("P-3", "1.11") })
        {
            await admin.PostAsync("/api/v1/goods", Http.Json($$"""{"sku":"{{sku}}","name":"N","price":{{price}}}"""), Ct);
        }
        foreach (var query in new[] { "min_price=1.10&max_price=1.100", "min_price=11e-1&max_price=0.11E1" })
        {
            var page = await (await shop.Client.GetAsync($"/api/v1/goods?{query}", Ct)).ReadJsonAsync();
            Assert.Equal(["P-2"], page["items"]!.AsArray().Select(g => (string?)g!["sku"]));
        }
    }

    private static async Task AssertPriceErrorAsync(HttpResponseMessage response, string? message)
    {
        var body = await response.AssertProblemAsync(400, "Validation failed");
        var errors = body["errors"]!["price"]!.AsArray().Select(m => (string?)m).ToList();
        Assert.Single(errors);
        if (message is not null)
        {
            Assert.Equal(message, errors[0]);
        }
    }

    private static async Task<long> CreateAsync(HttpClient admin)
    {
        var response = await admin.PostAsync("/api/v1/goods", Http.Json("""{"sku":"S","name":"N","price":5}"""), Ct);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (long)(await response.ReadJsonAsync())["id"]!;
    }

    private static async Task<decimal> PriceOfAsync(ShopApp shop, long id) =>
        (decimal)(await (await shop.Client.GetAsync($"/api/v1/goods/{id}", Ct)).ReadJsonAsync())["price"]!;

    private static List<(int Line, string Error)> Failures(JsonNode result) =>
        result["failed"]!.AsArray().Select(f => ((int)f!["line"]!, (string)f["error"]!)).ToList();
}
