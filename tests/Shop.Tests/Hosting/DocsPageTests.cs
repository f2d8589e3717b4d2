using System.Text.Json;

namespace Shop.Tests.Hosting;

/// <summary>
/// The /docs page in a real browser: headless Chromium (Debian's <c>chromium</c>) loads it from a running
/// service, the goods operations must be listed, nothing may come from another host (the page must work
/// on a closed network), and a screenshot is kept in tests/artifacts/ for people and CI.
/// </summary>
public sealed class DocsPageTests
{
    private static readonly TimeSpan BrowserTimeout = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task DocsPageListsTheGoodsOperationsUsingOnlyTheService()
    {
        var chromium = ExternalTool.Require("chromium", "chromium");
        await using var shop = await ShopApp.StartAsync();
        var origin = shop.BaseAddress.GetLeftPart(UriPartial.Authority);
        var page = $"{origin}/docs/";
        var netLog = Path.Combine(shop.Folder, "net-log.json");

        var (exitCode, dom, error) = await ExternalTool.RunAsync(chromium,
            [.. BrowserArguments(shop.Folder, "dom"), $"--log-net-log={netLog}", "--dump-dom", page], BrowserTimeout);

        Assert.True(exitCode == 0, error);
        Assert.Contains("<title>Shop API</title>", dom);
        foreach (var operation in new[] { "List goods", "Get one goods", "Create a goods", "Replace a goods", "Delete a goods" })
        {
            Assert.Contains(operation, dom);
        }
        Assert.Empty(PageRequestsToOtherHosts(netLog, origin));

        var screenshot = Path.Combine(ExternalTool.RepositoryRoot(), "tests", "artifacts", "docs-page.png");
        Directory.CreateDirectory(Path.GetDirectoryName(screenshot)!);
        File.Delete(screenshot);
        (exitCode, _, error) = await ExternalTool.RunAsync(chromium,
            [.. BrowserArguments(shop.Folder, "shot"), "--window-size=1280,900", "--hide-scrollbars", $"--screenshot={screenshot}", page], BrowserTimeout);
        Assert.True(exitCode == 0, error);
        Assert.True(new FileInfo(screenshot).Length > 10_000, "the screenshot shows a rendered page");
    }

    /// <summary>Headless, as root (no sandbox), with a fresh profile, and quiet on a closed network.</summary>
    private static string[] BrowserArguments(string folder, string profile) =>
    [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-dev-shm-usage", $"--user-data-dir={Path.Combine(folder, "chromium-" + profile)}",
        "--virtual-time-budget=15000",
    ];

    /// <summary>
    /// The URLs the page itself asked for (requests whose initiator is the service) on any other host.
    /// The browser's own background requests have no page initiator and are not the page's doing.
    /// </summary>
    private static List<string> PageRequestsToOtherHosts(string netLogPath, string origin)
    {
        using var log = JsonDocument.Parse(File.ReadAllText(netLogPath));
        var startJob = log.RootElement.GetProperty("constants").GetProperty("logEventTypes").GetProperty("URL_REQUEST_START_JOB").GetInt32();
        var requests = log.RootElement.GetProperty("events").EnumerateArray()
            .Where(e => e.GetProperty("type").GetInt32() == startJob && e.TryGetProperty("params", out _))
            .Select(e => e.GetProperty("params"))
            .Where(p => p.TryGetProperty("initiator", out var initiator) && initiator.GetString() == origin)
            .Select(p => p.GetProperty("url").GetString()!)
            .ToList();
        Assert.Contains(requests, url => url.EndsWith("/openapi/v1.json", StringComparison.Ordinal));
        return requests.Where(url => !url.StartsWith(origin + "/", StringComparison.Ordinal)).ToList();
    }
}
