using System.Net;
using Microsoft.Extensions.Logging;
using Shop.Infrastructure.Logging;
using Shop.Infrastructure.Metrics;

namespace Shop.Tests.Infrastructure;

public sealed class MetricsTests
{
    private const string Duration = "http_server_request_duration_seconds";
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task RequestsAreCountedByRouteTemplateMethodAndStatusNeverByRawPath()
    {
        await using var shop = await ShopApp.StartAsync();
        using var admin = shop.AdminClient();
        var created = await admin.PostAsync("/api/v1/goods", Http.Json("""{"sku":"MET-1","name":"Scale","price":3}"""), Ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await shop.Client.GetAsync(created.Headers.Location, Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await shop.Client.GetAsync("/api/v1/goods/987654321", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await shop.Client.GetAsync("/no/such/path/4242", Ct)).StatusCode);

        var samples = await PrometheusText.ScrapeAsync(shop.Client);

        var byId = ("http_route", "/api/v1/goods/{id:long}");
        Assert.Equal(1, samples.Where(Duration + "_count", byId, ("http_request_method", "GET"), ("http_response_status_code", "200")).Single().Value);
        Assert.Equal(1, samples.Where(Duration + "_count", byId, ("http_request_method", "GET"), ("http_response_status_code", "404")).Single().Value);
        Assert.Equal(1, samples.Where(Duration + "_count", ("http_route", "/api/v1/goods"), ("http_request_method", "POST"), ("http_response_status_code", "201")).Single().Value);
        var buckets = samples.Where(Duration + "_bucket", byId, ("http_response_status_code", "200")).ToList();
        Assert.True(buckets.Count > 5, "the duration is a histogram with buckets");
        Assert.Equal(1, buckets.Single(b => b.Labels["le"] == "+Inf").Value);
        Assert.DoesNotContain(samples, s => s.Labels.Values.Any(v => v.Contains("987654321") || v.Contains("4242")));
    }

    [Fact]
    public async Task ModulesCanReportCacheQueueJobsAndOrders()
    {
        await using var shop = await ShopApp.StartAsync();
        var metrics = shop.App.Services.GetRequiredService<ShopMetrics>();
        metrics.CacheHit("goods");
        metrics.CacheHit("goods");
        metrics.CacheMiss("goods");
        metrics.JobFinished("import", "succeeded");
        metrics.JobFinished("import", "failed");
        metrics.OrderStatusChanged("pending");
        metrics.OrderStatusChanged("confirmed");
        var depth = 7L;
        using var registration = metrics.ObserveQueueDepth("orders", () => depth);
        using var broken = metrics.ObserveQueueDepth("broken", () => throw new InvalidOperationException("gone"));

        var samples = await PrometheusText.ScrapeAsync(shop.Client);

        Assert.Equal(2, samples.Where("shop_cache_hits_total", ("cache", "goods")).Single().Value);
        Assert.Equal(1, samples.Where("shop_cache_misses_total", ("cache", "goods")).Single().Value);
        Assert.Equal(1, samples.Where("shop_jobs_finished_total", ("kind", "import"), ("outcome", "failed")).Single().Value);
        Assert.Equal(1, samples.Where("shop_orders_total", ("status", "confirmed")).Single().Value);
        Assert.Equal(7, samples.Where("shop_queue_depth", ("queue", "orders")).Single().Value);
        Assert.Empty(samples.Where("shop_queue_depth", ("queue", "broken")));
    }

    [Fact]
    public async Task LogEventsAreCountedByLevelSoErrorsPerMinuteIsOneQuery()
    {
        await using var shop = await ShopApp.StartAsync();
        var logger = shop.App.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(MetricsTests));
        logger.Error(new InvalidOperationException("disk on fire"), "Test failure {Number}", 1);
        logger.Error(null, "Test failure {Number}", 2);
        logger.Warning("Test warning");
        logger.Debug("Not written at log_level info, so not counted");

        var samples = await PrometheusText.ScrapeAsync(shop.Client);

        Assert.Equal(2, samples.Where("shop_log_events_total", ("level", "ERROR")).Single().Value);
        Assert.Equal(1, samples.Where("shop_log_events_total", ("level", "WARNING")).Single().Value);
        Assert.Equal(0, samples.Where("shop_log_events_total", ("level", "DEBUG")).Single().Value);
        Assert.True(samples.Where("shop_log_events_total", ("level", "INFO")).Single().Value >= 1, "start-up lines are INFO");
        var lines = await shop.WaitForLogAsync(l => l.Contains("Test failure 2"));
        Assert.Equal(2, lines.Count(l => l.Contains(" - ERROR - ")));
    }

    [Fact]
    public async Task ReadinessIsExportedAfterReadyzAnswers()
    {
        await using var shop = await ShopApp.StartAsync();
        Assert.Empty((await PrometheusText.ScrapeAsync(shop.Client)).Where("shop_ready"));
        Assert.Equal(HttpStatusCode.OK, (await shop.Client.GetAsync("/readyz", Ct)).StatusCode);
        Assert.Equal(1, (await PrometheusText.ScrapeAsync(shop.Client)).Where("shop_ready").Single().Value);
    }

    [Fact]
    public async Task AFailingReadinessCheckIsExportedAsNotReadyAndCountedAsAnError()
    {
        await using var shop = await ShopApp.StartAsync();
        // Overwrite the database with garbage, as a disk failure would. A connection a queue worker
        // opened just before the overwrite may still read the old file, so this repeats until
        // readiness sees it; every 503 it answered is counted.
        var unavailable = 0;
        await Poll.UntilAsync(async () =>
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            foreach (var suffix in new[] { "-wal", "-shm" })
            {
                File.Delete(shop.Settings.Database + suffix);
            }
            await File.WriteAllBytesAsync(shop.Settings.Database, new byte[4096], Ct);
            var ready = (await shop.Client.GetAsync("/readyz", Ct)).StatusCode;
            unavailable += ready == HttpStatusCode.ServiceUnavailable ? 1 : 0;
            return ready == HttpStatusCode.ServiceUnavailable;
        }, "readiness to see the broken database");

        var samples = await PrometheusText.ScrapeAsync(shop.Client);

        Assert.Equal(0, samples.Where("shop_ready").Single().Value);
        Assert.Equal(1, samples.Where("shop_log_events_total", ("level", "ERROR")).Single().Value);
        Assert.Equal(unavailable, samples.Where(Duration + "_count", ("http_route", "/readyz"), ("http_response_status_code", "503")).Single().Value);
    }

    [Fact]
    public async Task RuntimeAndProcessMetricsAreExported()
    {
        await using var shop = await ShopApp.StartAsync();
        var samples = await PrometheusText.ScrapeAsync(shop.Client);
        Assert.True(samples.Where("dotnet_process_memory_working_set_bytes").Single().Value > 0);
        Assert.NotEmpty(samples.Where("dotnet_process_cpu_time_seconds_total"));
        Assert.True(samples.Where("dotnet_gc_heap_total_allocated_bytes_total").Single().Value > 0);
        Assert.NotEmpty(samples.Where("dotnet_thread_pool_thread_count_total"));
    }

    [Fact]
    public async Task TwoInstancesInOneProcessKeepTheirOwnMetrics()
    {
        await using var first = await ShopApp.StartAsync();
        await using var second = await ShopApp.StartAsync();
        first.App.Services.GetRequiredService<ShopMetrics>().CacheMiss("isolation");

        var samples = await PrometheusText.ScrapeAsync(second.Client);

        Assert.Empty(samples.Where("shop_cache_misses_total", ("cache", "isolation")));
        Assert.Single(samples.Where("shop_log_events_total", ("level", "ERROR")));
    }

    [Fact]
    public async Task MetricsAnswerOnlyGet()
    {
        await using var shop = await ShopApp.StartAsync();
        var response = await shop.Client.PostAsync("/metrics", null, Ct);
        await response.AssertProblemAsync(405);
        Assert.Contains("GET", response.Content.Headers.Allow);
    }
}
