using System.Collections;
using System.Net;
using System.Text.Json.Nodes;
using Shop.Hosting;

namespace Shop.Tests.Infrastructure;

/// <summary>Request ids and trace ids in log lines, the JSON log format, and the operations settings.</summary>
public sealed class RequestLogTests
{
    private const string TraceParent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    private const string TraceId = "0af7651916cd43dd8448eb211c80319c";
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task CreateGoodsAsync(ShopApp shop, string sku, params (string Name, string Value)[] headers)
    {
        using var admin = shop.CreateClient([("Authorization", $"Bearer {shop.AdminToken}"), .. headers]);
        var response = await admin.PostAsync("/api/v1/goods", Http.Json($$"""{"sku":"{{sku}}","name":"Lamp","price":2}"""), Ct);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    [Fact]
    public async Task LinesLoggedDuringARequestEndWithItsRequestIdAndTraceId()
    {
        await using var shop = await ShopApp.StartAsync();
        await CreateGoodsAsync(shop, "RID-1", ("X-Request-Id", "req-log-1"), ("traceparent", TraceParent));

        var lines = await shop.WaitForLogAsync(l => l.Contains("(RID-1) created"));

        var line = lines.Single(l => l.Contains("(RID-1) created"));
        Assert.Matches(@"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} - INFO - Shop\.Features\.Goods\.GoodsApi - CreateGoods - \d+ - Goods \d+ \(RID-1\) created by \S+ \[", line);
        Assert.EndsWith($" [request_id=req-log-1 trace_id={TraceId}]", line);
    }

    [Fact]
    public async Task AMalformedTraceparentIsLeftOutAndTheGeneratedRequestIdIsLogged()
    {
        await using var shop = await ShopApp.StartAsync();
        using var admin = shop.CreateClient(("Authorization", $"Bearer {shop.AdminToken}"), ("traceparent", "00-not-a-trace - ERROR - forged"));
        var response = await admin.PostAsync("/api/v1/goods", Http.Json("""{"sku":"RID-2","name":"Lamp","price":2}"""), Ct);
        var id = response.Headers.GetValues("X-Request-Id").Single();

        var lines = await shop.WaitForLogAsync(l => l.Contains("(RID-2) created"));

        Assert.EndsWith($" [request_id={id}]", lines.Single(l => l.Contains("(RID-2) created")));
        Assert.DoesNotContain(lines, l => l.Contains("forged"));
    }

    [Fact]
    public async Task LinesOutsideARequestKeepTheFoundationFormat()
    {
        await using var shop = await ShopApp.StartAsync();
        var lines = await shop.WaitForLogAsync(l => l.Contains("Now listening on"));
        Assert.Matches(@"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} - INFO - Microsoft\.Hosting\.Lifetime - - - - - Now listening on: http://127\.0\.0\.1:\d+$",
            lines.Single(l => l.Contains("Now listening on")));
    }

    [Fact]
    public async Task JsonFormatWritesOneObjectPerLineWithTheSameFields()
    {
        await using var shop = await ShopApp.StartAsync(s => s with { LogFormat = "json" });
        await CreateGoodsAsync(shop, "RID-3", ("X-Request-Id", "req-log-3"), ("traceparent", TraceParent));

        var lines = await shop.WaitForLogAsync(l => l.Contains("(RID-3) created"));

        var events = lines.Select(l => JsonNode.Parse(l)!.AsObject()).ToList();
        var created = events.Single(e => ((string)e["message"]!).Contains("(RID-3) created"));
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", (string)created["time"]!);
        Assert.Equal("INFO", (string?)created["level"]);
        Assert.Equal("Shop.Features.Goods.GoodsApi", (string?)created["source"]);
        Assert.Equal("CreateGoods", (string?)created["member"]);
        Assert.True((int)created["line"]! > 0);
        Assert.Matches(@"^Goods \d+ \(RID-3\) created by \S+$", (string)created["message"]!);
        Assert.Equal("req-log-3", (string?)created["request_id"]);
        Assert.Equal(TraceId, (string?)created["trace_id"]);
        Assert.Equal("RID-3", (string?)created["properties"]!["Sku"]);
        var startup = events.First(e => ((string)e["message"]!).StartsWith("Now listening", StringComparison.Ordinal));
        Assert.Null(startup["member"]);
        Assert.False(startup.ContainsKey("request_id"));
    }

    [Theory]
    [InlineData("log_format", "xml")]
    [InlineData("otlp_endpoint", "collector:4317")]
    [InlineData("otlp_protocol", "udp")]
    public void ABadOperationsSettingIsNamedInTheError(string name, string value)
    {
        var error = Assert.Throws<SettingsException>(() =>
            SettingsLoader.Load(null, new Hashtable { ["SHOP_" + name.ToUpperInvariant()] = value }, new Dictionary<string, string?>()));
        Assert.Equal(name, error.Setting);
        Assert.StartsWith(name + ": ", error.Message);
    }
}
