using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Shop.Features.Jobs;
using Shop.Infrastructure.Data;
using Shop.Infrastructure.Queue;

namespace Shop.Tests.Features.Jobs;

public sealed class JobsApiTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task UnknownJobIsNotFound()
    {
        await using var shop = await ShopApp.StartAsync();
        using var admin = shop.AdminClient();
        await (await admin.GetAsync("/api/v1/jobs/999", Ct)).AssertProblemAsync(404, "Job 999 not found");
    }

    [Fact]
    public async Task OpenApiDocumentDescribesOrdersJobsAndImports()
    {
        await using var shop = await ShopApp.StartAsync();
        var response = await shop.Client.GetAsync("/openapi/v1.json", Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var paths = (await response.ReadJsonAsync())["paths"]!.AsObject();
        Assert.NotNull(paths["/api/v1/orders"]!["post"]);
        Assert.NotNull(paths["/api/v1/orders/{id}"]!["patch"]);
        Assert.NotNull(paths["/api/v1/jobs/{id}"]!["get"]);
        Assert.NotNull(paths["/api/v1/goods/imports"]!["post"]);
    }

    [Fact]
    public async Task JobsAreForAdminsOnly()
    {
        await using var shop = await ShopApp.StartAsync();
        await (await shop.Client.GetAsync("/api/v1/jobs/1", Ct)).AssertProblemAsync(401);
    }

    [Fact]
    public async Task AJobThatKeepsFailingEndsFailedWithItsErrorAfterRetries()
    {
        var failing = new FailingHandler();
        await using var shop = await ShopApp.StartAsync(configure: b => b.Services
            .AddSingleton<IJobHandler>(failing)
            .AddSingleton(new QueueOptions { FirstRetryDelay = TimeSpan.FromMilliseconds(10), FallbackPoll = TimeSpan.FromMilliseconds(50), MaxAttempts = 3 }));
        using var admin = shop.AdminClient();
        var id = await EnqueueAsync(shop, FailingHandler.JobKind);

        var job = await JobTesting.WaitForJobAsync(admin, $"/api/v1/jobs/{id}");

        Assert.Equal("failed", (string?)job["status"]);
        Assert.Equal("disk on fire", (string?)job["error"]);
        Assert.NotNull(job["finished_at"]);
        Assert.Equal(3, failing.Runs);
        var lines = await shop.WaitForLogAsync(l => l.Contains(" - ERROR - ", StringComparison.Ordinal));
        Assert.True(2 == lines.Count(l => l.Contains(" - WARNING - ", StringComparison.Ordinal) && l.Contains($"Job {id} failed on attempt", StringComparison.Ordinal)), string.Join("\n", lines));
        Assert.Contains(lines, l => l.Contains(" - ERROR - ", StringComparison.Ordinal) && l.Contains($"Job {id} failed for good after 3 attempts: disk on fire", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AJobThatFailsOnceIsRetriedAndSucceeds()
    {
        var flaky = new FailingHandler { FailuresBeforeSuccess = 1 };
        await using var shop = await ShopApp.StartAsync(configure: b => b.Services
            .AddSingleton<IJobHandler>(flaky)
            .AddSingleton(new QueueOptions { FirstRetryDelay = TimeSpan.FromMilliseconds(10), FallbackPoll = TimeSpan.FromMilliseconds(50) }));
        using var admin = shop.AdminClient();
        var id = await EnqueueAsync(shop, FailingHandler.JobKind);

        var job = await JobTesting.WaitForJobAsync(admin, $"/api/v1/jobs/{id}");

        Assert.Equal("succeeded", (string?)job["status"]);
        Assert.Equal(2, (int)job["result"]!["runs"]!);
        Assert.Null(job["error"]);
    }

    private static async Task<long> EnqueueAsync(ShopApp shop, string kind)
    {
        await using var scope = shop.App.Services.CreateAsyncScope();
        var queue = scope.ServiceProvider.GetRequiredService<JobQueue>();
        var job = await queue.EnqueueAsync(scope.ServiceProvider.GetRequiredService<ShopDb>(), kind, "text/plain", Encoding.UTF8.GetBytes("x"), Ct);
        return job.Id;
    }

    private sealed class FailingHandler : IJobHandler
    {
        public const string JobKind = "test-failing";
        private int _runs;

        public int FailuresBeforeSuccess { get; init; } = int.MaxValue;
        public int Runs => _runs;
        public string Kind => JobKind;

        public Task<string> RunAsync(JobRun run, CancellationToken cancellationToken)
        {
            var runs = Interlocked.Increment(ref _runs);
            return runs <= FailuresBeforeSuccess
                ? throw new IOException("disk on fire")
                : Task.FromResult($$"""{"runs": {{runs}}}""");
        }
    }
}
