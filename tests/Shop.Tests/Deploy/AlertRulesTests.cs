using System.Text.RegularExpressions;
using Shop.Infrastructure.Metrics;

namespace Shop.Tests.Deploy;

public sealed partial class AlertRulesTests
{
    private static readonly string Folder = Path.Combine(ExternalTool.RepositoryRoot(), "deploy", "prometheus");

    [Fact]
    public async Task AlertRulesPassPromtoolCheck()
    {
        var promtool = ExternalTool.Require("promtool", "prometheus");
        var (exitCode, output, error) = await ExternalTool.RunAsync(promtool, ["check", "rules", Path.Combine(Folder, "alerts.yml")], TimeSpan.FromMinutes(1));
        Assert.True(exitCode == 0, output + error);
        Assert.Contains("SUCCESS", output);
    }

    [Fact]
    public async Task AlertsFireOnTheSeriesOfTheirUnitTests()
    {
        var promtool = ExternalTool.Require("promtool", "prometheus");
        var (exitCode, output, error) = await ExternalTool.RunAsync(promtool, ["test", "rules", Path.Combine(Folder, "alerts.test.yml")], TimeSpan.FromMinutes(1));
        Assert.True(exitCode == 0, output + error);
    }

    /// <summary>An alert on a metric name the service does not export would never fire.</summary>
    [Fact]
    public async Task EveryServiceMetricTheAlertsUseIsExported()
    {
        await using var shop = await ShopApp.StartAsync();
        var metrics = shop.App.Services.GetRequiredService<ShopMetrics>();
        using var queue = metrics.ObserveQueueDepth("orders", () => 1);
        Assert.Equal(200, (int)(await shop.Client.GetAsync("/readyz", TestContext.Current.CancellationToken)).StatusCode);

        var exported = (await PrometheusText.ScrapeAsync(shop.Client)).Select(s => s.Name).ToHashSet();

        var used = ServiceMetricName().Matches(await File.ReadAllTextAsync(Path.Combine(Folder, "alerts.yml"), TestContext.Current.CancellationToken))
            .Select(m => m.Value).Distinct().ToList();
        Assert.Contains("shop_log_events_total", used);
        Assert.All(used, name => Assert.Contains(name, exported));
    }

    [GeneratedRegex(@"\b(?:shop|http_server|dotnet|kestrel)_[a-z0-9_]+\b")]
    private static partial Regex ServiceMetricName();
}
