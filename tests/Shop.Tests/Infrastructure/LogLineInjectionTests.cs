using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Shop.Infrastructure.Data;
using Shop.Tests.Support;

namespace Shop.Tests.Infrastructure;

/// <summary>Client-controlled text never forges a log line: one event is one line, whatever was sent.</summary>
public sealed partial class LogLineInjectionTests
{
    private const string Forged = "2026-12-01 19:00:00,000 - ERROR - Shop.Fake - Forged - 1 - FORGED-LINE admin password reset";

    /// <summary>CR LF, a lone LF, an ESC sequence, NEL (U+0085), the line and paragraph separators, a C1 and a DEL.</summary>
    private const string Hostile = "\r\n" + Forged + "\n" + Forged + "\u001b[2J\u0085" + Forged + "\u2028" + Forged + "\u2029\u009b\u007f";

    /// <summary>Short enough for a goods name (at most 200 characters).</summary>
    private const string HostileName = "\r\n" + Forged + "\u001b[2J\u0085\u2028";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [GeneratedRegex(@"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} - (DEBUG|INFO|WARNING|ERROR|CRITICAL) - ")]
    private static partial Regex LineStart();

    [Fact]
    public async Task AForgedUsernameAtLoginStaysOnItsOwnEscapedLine()
    {
        await using var shop = await ShopApp.StartAsync();
        var response = await shop.Client.PostAsync("/api/v1/sessions",
            Http.Json(new JsonObject { ["username"] = "root" + Hostile, ["password"] = "whatever-1" }), Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);

        var lines = await shop.WaitForLogAsync(l => l.Contains("Failed login for", StringComparison.Ordinal));

        var line = AssertEveryLineIsOneEvent(lines, "Failed login for");
        Assert.Contains(@"root\r\n2026-12-01 19:00:00,000 - error - shop.fake", line, StringComparison.Ordinal);
        Assert.Contains(@"\x1b[2j\x85", line, StringComparison.Ordinal);
        Assert.Contains(@"\u2028", line, StringComparison.Ordinal);
        Assert.Contains(@"\u2029\x9b\x7f", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AForgedGoodsNameInAnOrderLineStaysOnItsOwnEscapedLine()
    {
        await using var shop = await ShopApp.StartAsync();
        using var admin = shop.AdminClient();
        var goods = await OrderTesting.CreateGoodsAsync(admin, "EVIL-1", stock: 5, name: "Tea" + HostileName);
        var short_ = await OrderTesting.CreateGoodsAsync(admin, "EVIL-2", stock: 0, name: "Cup" + HostileName);
        using var customer = await shop.SignInAsync("mallory");

        await OrderTesting.WaitUntilDoneAsync(customer, await OrderTesting.PlaceAcceptedAsync(customer, (goods, 1)));
        await OrderTesting.WaitUntilDoneAsync(customer, await OrderTesting.PlaceAcceptedAsync(customer, (short_, 1)));

        var lines = await shop.WaitForLogAsync(l => l.Contains(" rejected: ", StringComparison.Ordinal));
        Assert.Contains(@"(Tea\r\n2026-12-01 19:00:00,000 - ERROR - Shop.Fake", AssertEveryLineIsOneEvent(lines, "mallory ordered"), StringComparison.Ordinal);
        Assert.Contains(@"Cup\r\n2026-12-01 19:00:00,000 - ERROR - Shop.Fake", AssertEveryLineIsOneEvent(lines, " rejected: "), StringComparison.Ordinal);
        Assert.Single(lines, l => l.Contains("Goods 1 (EVIL-1) created", StringComparison.Ordinal));
    }

    [Fact]
    public async Task HostileHeadersAndPathsStayOnOneAccessLogLineAndOneServiceLogLine()
    {
        await using var shop = await ShopApp.StartAsync();
        using var client = shop.CreateClient(("X-Request-Id", "inject-1"), ("User-Agent", "ua\u001b[2J\u007f"), ("Referer", "http://x/\u0001"));

        // Kestrel keeps %0D%0A as it came (it never decodes a control character into the path); the line stays one line either way.
        await client.GetAsync("/no/such%0D%0A" + Uri.EscapeDataString(Forged + "\u2028\u0085"), Ct);

        var line = Assert.Single(await shop.WaitForAccessLogAsync(l => l.Contains("inject-1", StringComparison.Ordinal)));
        Assert.Matches(@"/no/such(%0D%0A|\\x0d\\x0a)2026-12-01", line);
        Assert.DoesNotContain(line, c => c is '\r' or '\u2028' or '\u0085' or '\u001b');
        Assert.Contains(@"""ua\x1b[2J\x7f""", line, StringComparison.Ordinal);
        Assert.Contains(@"""http://x/\x01""", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnUnhandledExceptionIsLoggedWithItsStackOnTheEventsOwnLine()
    {
        await using var shop = await ShopApp.StartAsync();
        await using (var scope = shop.App.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<ShopDb>().Database.ExecuteSqlRawAsync("DROP TABLE goods", Ct);
        }
        Assert.Equal(HttpStatusCode.InternalServerError, (await shop.Client.GetAsync("/api/v1/goods", Ct)).StatusCode);

        var lines = await shop.WaitForLogAsync(l => l.Contains(" - ERROR - Shop.Rest.ProblemExceptionHandler - ", StringComparison.Ordinal));

        var line = AssertEveryLineIsOneEvent(lines, " - ERROR - Shop.Rest.ProblemExceptionHandler - ");
        Assert.Matches(@"Unhandled exception for GET /api/v1/goods \[request_id=[0-9a-f]{32}\] \| Microsoft\.Data\.Sqlite\.SqliteException .*\\n   at ", line);
        Assert.Equal(1, lines.Count(l => l.Contains(" - ERROR - ", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task TheJsonFormatKeepsEachEventOnOneLineToo()
    {
        await using var shop = await ShopApp.StartAsync(s => s with { LogFormat = "json" });
        await shop.Client.PostAsync("/api/v1/sessions", Http.Json(new JsonObject { ["username"] = "root" + Hostile, ["password"] = "whatever-1" }), Ct);

        var lines = await shop.WaitForLogAsync(l => l.Contains("Failed login for", StringComparison.Ordinal));

        Assert.All(lines, l => JsonNode.Parse(l));
        Assert.DoesNotContain(lines, l => l.StartsWith(Forged, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>Every line of the file starts as Shop's lines do and none is forged; returns the one line holding <paramref name="marker"/>.</summary>
    private static string AssertEveryLineIsOneEvent(string[] lines, string marker)
    {
        Assert.All(lines, l => Assert.Matches(LineStart(), l));
        Assert.DoesNotContain(lines, l => l.Contains("\r", StringComparison.Ordinal) || l.Contains('\u2028') || l.Contains('\u0085') || l.Contains('\u001b'));
        Assert.DoesNotContain(lines, l => l.StartsWith(Forged, StringComparison.OrdinalIgnoreCase));
        return Assert.Single(lines, l => l.Contains(marker, StringComparison.Ordinal));
    }
}
