using System.Net;
using System.Text.Json.Nodes;

namespace Shop.Tests.Hosting;

/// <summary>
/// A real <c>shop serve</c> process serving on its socket threads (<c>InlineServing</c>) with one
/// socket event thread for every connection, so anything that held that thread would hold up every
/// other request.
/// </summary>
public sealed class InlineServingTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task GetsAnsweredFromMemoryGoOnWhilePasswordChecksRunOnOtherConnections()
    {
        using var folder = new TempFolder();
        var environment = new Dictionary<string, string>
        {
            ["SHOP_DATABASE"] = folder.File("shop.db"),
            ["SHOP_SECRET_KEY"] = "inline-serving-secret",
            ["DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS"] = "1",
            ["DOTNET_SYSTEM_NET_SOCKETS_THREAD_COUNT"] = "1",
        };
        var seeded = await ShopCommand.RunAsync(["seed", "--goods", "10"], environment);
        Assert.True(seeded.ExitCode == 0, seeded.Stderr);
        await using var shop = await ServeProcess.StartAsync(environment, folder.File("shop.log"));
        var checkers = Enumerable.Range(0, 6).Select(_ => new HttpClient { BaseAddress = shop.Client.BaseAddress }).ToList();
        try
        {
            // Every connection is open before the checks begin, and the goods is in memory.
            foreach (var checker in checkers)
            {
                Assert.Equal(HttpStatusCode.OK, (await checker.GetAsync("/healthz", Ct)).StatusCode);
            }
            Assert.Equal(HttpStatusCode.OK, (await shop.Client.GetAsync("/api/v1/goods/1", Ct)).StatusCode);

            // Each failed login hashes a password (PBKDF2, tens of milliseconds of CPU); distinct
            // usernames keep the throttle from making them take turns.
            var checks = checkers.Select((checker, i) => checker.PostAsync("/api/v1/sessions",
                Http.Json(new JsonObject { ["username"] = $"nobody-{i}", ["password"] = "not the password" }), Ct)).ToList();
            var firstCheck = Task.WhenAny(checks);
            var answeredMeanwhile = 0;
            while (!firstCheck.IsCompleted)
            {
                Assert.Equal(HttpStatusCode.OK, (await shop.Client.GetAsync("/api/v1/goods/1", Ct)).StatusCode);
                answeredMeanwhile++;
            }

            foreach (var answer in await Task.WhenAll(checks))
            {
                await answer.AssertProblemAsync(401);
            }
            // Had a check run on the one event thread, every GET sent after it would have waited for it.
            Assert.True(answeredMeanwhile >= 10, $"{answeredMeanwhile} GETs were answered before the first of six password checks");
        }
        finally
        {
            checkers.ForEach(checker => checker.Dispose());
        }
    }
}
