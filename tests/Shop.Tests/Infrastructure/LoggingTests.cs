using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Shop.Infrastructure.Data;
using Shop.Tests.Features.Goods;

namespace Shop.Tests.Infrastructure;

public sealed class LoggingTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>The log up to a goods created as a mark: what came before it is all in the file.</summary>
    private static async Task<string[]> LinesUpToAMarkAsync(ShopApp shop, HttpClient admin)
    {
        await GoodsApiTests.CreateAsync(admin, "MARK");
        return await shop.WaitForLogAsync(l => l.Contains("(MARK) created", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ABusinessEventIsOneInfoLineWithSourceMemberAndLine()
    {
        await using var shop = await ShopApp.StartAsync();
        using var admin = shop.AdminClient();
        var created = await GoodsApiTests.CreateAsync(admin, "LOG-1");

        var lines = await shop.WaitForLogAsync(l => l.Contains("created by", StringComparison.Ordinal));

        var line = Assert.Single(lines, l => l.Contains("created by", StringComparison.Ordinal));
        Assert.Matches(
            $@"^\d{{4}}-\d\d-\d\d \d\d:\d\d:\d\d,\d{{3}} - INFO - Shop\.Features\.Goods\.GoodsApi - CreateGoods - \d+ - Goods {created["id"]} \(LOG-1\) created by {ShopApp.AdminUsername} \[request_id=[0-9a-f]{{32}}\]$",
            line);
    }

    [Fact]
    public async Task TheLogFileIsUtf8()
    {
        await using var shop = await ShopApp.StartAsync();
        using var admin = shop.AdminClient();
        await GoodsApiTests.CreateAsync(admin, "UTF-8");
        await admin.PatchAsync("/api/v1/goods/1", Http.Json("""{"name":"Grüner Tee 緑茶"}"""), Ct);
        var lines = await shop.WaitForLogAsync(l => l.Contains("changed by", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains($"Goods 1 (UTF-8) changed by {ShopApp.AdminUsername} [request_id=", StringComparison.Ordinal));
        var bytes = await File.ReadAllBytesAsync(shop.LogFile, Ct);
        Assert.False(bytes is [0xEF, 0xBB, 0xBF, ..], "no byte-order mark");
    }

    [Fact]
    public async Task ClientErrorsAndReadsAreNotLoggedAboveDebug()
    {
        await using var shop = await ShopApp.StartAsync();
        using var admin = shop.AdminClient();
        await admin.PostAsync("/api/v1/goods", Http.Json("""{"sku":"bad sku"}"""), Ct);
        await shop.Client.GetAsync("/api/v1/goods/12345", Ct);
        await shop.Client.GetAsync("/api/v1/goods", Ct);
        var lines = await LinesUpToAMarkAsync(shop, admin);
        Assert.DoesNotContain(lines, l => l.Contains(" - WARNING - ", StringComparison.Ordinal) || l.Contains(" - ERROR - ", StringComparison.Ordinal));
        Assert.Single(lines, l => l.Contains(" - INFO - Shop.Features.Goods.", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ReadsAnsweredFromTheCacheWriteNoServiceLogLine()
    {
        await using var shop = await ShopApp.StartAsync();
        using var admin = shop.AdminClient();
        var id = (long)(await GoodsApiTests.CreateAsync(admin, "QUIET"))["id"]!;
        string[] reads = [$"/api/v1/goods/{id}", $"/api/v1/goods/{id}", "/api/v1/goods", "/api/v1/goods"];
        foreach (var (path, n) in reads.Select((path, n) => (path, n)))
        {
            var read = new HttpRequestMessage(HttpMethod.Get, path) { Headers = { { "X-Request-Id", $"quiet-read-{n}" } } };
            Assert.Equal(HttpStatusCode.OK, (await shop.Client.SendAsync(read, Ct)).StatusCode);
        }
        var lines = await LinesUpToAMarkAsync(shop, admin);
        Assert.DoesNotContain(lines, l => l.Contains("quiet-read-", StringComparison.Ordinal));
    }

    [Fact]
    public async Task TheAccessLogHasCombinedFormatWithTimeAndRequestId()
    {
        await using var shop = await ShopApp.StartAsync();
        using var client = shop.CreateClient(("X-Request-Id", "access-1"), ("User-Agent", "tester/1.0"), ("Referer", "http://example.test/"));
        var body = await (await client.GetAsync("/api/v1/goods?page=1", Ct)).Content.ReadAsByteArrayAsync(Ct);

        var lines = await shop.WaitForAccessLogAsync(l => l.Contains("access-1", StringComparison.Ordinal));

        // The size is the body as sent, although the answer is chunked and has no Content-Length.
        Assert.Matches(
            $@"^127\.0\.0\.1 - - \[\d\d/[A-Z][a-z]{{2}}/\d{{4}}:\d\d:\d\d:\d\d [+-]\d{{4}}\] ""GET /api/v1/goods\?page=1 HTTP/1\.1"" 200 {body.Length} ""http://example\.test/"" ""tester/1\.0"" \d+\.\d{{6}} access-1$",
            Assert.Single(lines, l => l.Contains("access-1", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task TheAccessLogSizeIsADashForAnAnswerWithoutBody()
    {
        await using var shop = await ShopApp.StartAsync();
        using var client = shop.CreateClient(("X-Request-Id", "access-3"));
        using var admin = shop.AdminClient();
        var id = (long)(await GoodsApiTests.CreateAsync(admin, "SIZED"))["id"]!;
        var etag = (await client.GetAsync($"/api/v1/goods/{id}", Ct)).Headers.ETag!;
        using var conditional = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/goods/{id}") { Headers = { IfNoneMatch = { etag } } };
        Assert.Equal(System.Net.HttpStatusCode.NotModified, (await client.SendAsync(conditional, Ct)).StatusCode);

        var lines = await shop.WaitForAccessLogAsync(l => l.Contains(" 304 ", StringComparison.Ordinal) && l.Contains("access-3", StringComparison.Ordinal));
        Assert.Contains(" 304 - ", Assert.Single(lines, l => l.Contains(" 304 ", StringComparison.Ordinal)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheAccessLogWritesThePathEscapedAsSentAndLinesLongerThanItsBuffer()
    {
        await using var shop = await ShopApp.StartAsync();
        using var client = shop.CreateClient(("X-Request-Id", "access-4"), ("User-Agent", new string('u', 3000)));
        await client.GetAsync("/no%20such/place?q=a%20b", Ct);

        var line = Assert.Single(await shop.WaitForAccessLogAsync(l => l.Contains("access-4", StringComparison.Ordinal)), l => l.Contains("access-4", StringComparison.Ordinal));
        Assert.Matches($@"^127\.0\.0\.1 - - \[[^\]]+\] ""GET /no%20such/place\?q=a%20b HTTP/1\.1"" 404 \d+ ""-"" ""u{{3000}}"" \d+\.\d{{6}} access-4$", line);
    }

    [Fact]
    public async Task TheAccessLogNamesTheUserAndEscapesHostileText()
    {
        await using var shop = await ShopApp.StartAsync();
        using var admin = shop.CreateClient(("Authorization", $"Bearer {shop.AdminToken}"), ("X-Request-Id", "access-2"), ("User-Agent", "evil\" 200 \"x"));
        await admin.GetAsync("/api/v1/goods", Ct);
        var line = Assert.Single(await shop.WaitForAccessLogAsync(l => l.Contains("access-2", StringComparison.Ordinal)), l => l.Contains("access-2", StringComparison.Ordinal));
        Assert.Contains($" - {ShopApp.AdminUsername} [", line, StringComparison.Ordinal);
        Assert.Contains("\"evil\\\" 200 \\\"x\"", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LogLevelDebugShowsTheFailedSqlBehindA409()
    {
        await using var shop = await ShopApp.StartAsync(s => s with { LogLevel = "debug" });
        using var admin = shop.AdminClient();
        await GoodsApiTests.CreateAsync(admin, "DEBUG-1");
        await (await admin.PostAsync("/api/v1/goods", Http.Json("""{"sku":"DEBUG-1","name":"Again","price":1}"""), Ct)).AssertProblemAsync(409);

        await shop.WaitForLogAsync(l => l.Contains(" - DEBUG - Microsoft.EntityFrameworkCore.Database.Command", StringComparison.Ordinal)
            && l.Contains("Failed executing DbCommand", StringComparison.Ordinal));
    }

    [Fact]
    public async Task LogLevelDebugKeepsTheRequestStartingAndFinishedLinesThatTheServedDefaultLeavesOut()
    {
        await using (var debug = await ShopApp.StartAsync(s => s with { LogLevel = "debug" }))
        {
            await debug.Client.GetAsync("/api/v1/goods?per_page=1", Ct);
            await debug.WaitForLogAsync(l => l.Contains(" - DEBUG - Microsoft.AspNetCore.Hosting.Diagnostics", StringComparison.Ordinal)
                || l.Contains(" - INFO - Microsoft.AspNetCore.Hosting.Diagnostics", StringComparison.Ordinal));
        }

        await using var shop = await ShopApp.StartAsync();
        using var admin = shop.AdminClient();
        await shop.Client.GetAsync("/api/v1/goods?per_page=1", Ct);
        var lines = await LinesUpToAMarkAsync(shop, admin);
        Assert.DoesNotContain(lines, l => l.Contains("Microsoft.AspNetCore.Hosting.Diagnostics", StringComparison.Ordinal));
    }

    [Fact]
    public async Task TheErrorLineOfAFailedRequestNamesTheRequestIdOfIts500Answer()
    {
        await using var shop = await ShopApp.StartAsync();
        await using (var scope = shop.App.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<ShopDb>().Database.ExecuteSqlRawAsync("DROP TABLE goods", Ct);
        }
        using var client = shop.CreateClient(("X-Request-Id", "failed-read-1"));
        await (await client.GetAsync("/api/v1/goods", Ct)).AssertProblemAsync(500);

        var lines = await shop.WaitForLogAsync(l => l.Contains(" - ERROR - ", StringComparison.Ordinal));
        Assert.All(lines.Where(l => l.Contains(" - ERROR - ", StringComparison.Ordinal)),
            l => Assert.Contains(" [request_id=failed-read-1]", l, StringComparison.Ordinal));
    }

    [Fact]
    public async Task LogLevelWarningDropsInfoEventsButKeepsErrors()
    {
        await using var shop = await ShopApp.StartAsync(s => s with { LogLevel = "warning" });
        using var admin = shop.AdminClient();
        await GoodsApiTests.CreateAsync(admin, "QUIET");
        await using (var scope = shop.App.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<ShopDb>().Database.ExecuteSqlRawAsync("DROP TABLE goods", Ct);
        }
        Assert.Equal(HttpStatusCode.InternalServerError, (await shop.Client.GetAsync("/api/v1/goods", Ct)).StatusCode);

        var lines = await shop.WaitForLogAsync(l => l.Contains(" - ERROR - ", StringComparison.Ordinal));

        Assert.Contains(lines, l => l.Contains(" - ERROR - ", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Contains(" - INFO - ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task TheServiceHandsOutOneLoggerPerCategoryAndItStillWritesTheLog()
    {
        // Authentication handlers are made per request and each asks for its logger.
        await using var shop = await ShopApp.StartAsync();
        var logs = shop.App.Services.GetRequiredService<ILoggerFactory>();

        var first = logs.CreateLogger("Shop.Tests.Category");
        Assert.Same(first, logs.CreateLogger("Shop.Tests.Category"));
        Assert.NotSame(first, logs.CreateLogger("Shop.Tests.Other"));

        first.LogWarning("one logger per category");
        await shop.WaitForLogAsync(l => l.Contains(" - WARNING - Shop.Tests.Category - ", StringComparison.Ordinal) && l.EndsWith("one logger per category", StringComparison.Ordinal));
    }
}
