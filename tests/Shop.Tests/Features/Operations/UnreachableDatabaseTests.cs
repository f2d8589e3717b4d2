using System.Net;
using Shop.Tests.Features.Goods;
using System.Text.Json.Nodes;

namespace Shop.Tests.Features.Operations;

/// <summary>PostgreSQL stopped under a running instance: a dependency down (503, Retry-After, /readyz naming the database), never a 500.</summary>
public sealed class UnreachableDatabaseTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task WithPostgreSqlStoppedEveryRequestThatNeedsItIs503WithRetryAfterAndReadinessNamesTheDatabase()
    {
        // A server of this test's own: the shared one serves the other tests meanwhile.
        await using var postgres = await PostgresServer.StartPrivateAsync();
        await using var shop = await ShopApp.StartAsync(s => s with { Database = postgres.Uri("shop") });
        using var admin = shop.AdminClient();
        var id = (long)(await GoodsApiTests.CreateAsync(admin, "DOWN-1"))["id"]!;
        await shop.Client.GetStringAsync($"/api/v1/goods/{id}", Ct); // Cached: still not served without the change log.

        await postgres.StopServerAsync();

        var requests = new Func<Task<HttpResponseMessage>>[]
        {
            () => shop.Client.GetAsync($"/api/v1/goods/{id}", Ct),
            () => shop.Client.GetAsync("/api/v1/goods?per_page=5", Ct),
            () => admin.PostAsync("/api/v1/goods", Http.Json("""{"sku":"DOWN-2","name":"Tea","price":1}"""), Ct),
            () => admin.GetAsync("/api/v1/users/me", Ct),
            () => shop.Client.PostAsync("/api/v1/sessions", Http.Json(new JsonObject { ["username"] = ShopApp.AdminUsername, ["password"] = ShopApp.Password }), Ct),
        };
        foreach (var send in requests)
        {
            using var response = await send();
            await response.AssertProblemAsync(503, "The database is unreachable; try again later");
            Assert.Equal(TimeSpan.FromSeconds(5), response.Headers.RetryAfter?.Delta);
        }
        await (await shop.Client.GetAsync("/readyz", Ct)).AssertProblemAsync(503, "Not ready: database is down");
        Assert.Equal(HttpStatusCode.OK, (await shop.Client.GetAsync("/healthz", Ct)).StatusCode);

        var lines = await shop.WaitForLogAsync(l => l.Contains(" - WARNING - ", StringComparison.Ordinal) && l.Contains("The database is unreachable", StringComparison.Ordinal));
        Assert.Single(lines, l => l.Contains("The database is unreachable", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Contains("Unhandled", StringComparison.OrdinalIgnoreCase));
    }
}
