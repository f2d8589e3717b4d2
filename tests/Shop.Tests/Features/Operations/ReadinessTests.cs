using System.Net;
using Shop.Tests.Support;

namespace Shop.Tests.Features.Operations;

public sealed class ReadinessTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task HealthAndReadinessAreOkWhileTheDatabaseAnswers()
    {
        await using var shop = await ShopApp.StartAsync();
        Assert.Equal(HttpStatusCode.OK, (await shop.Client.GetAsync("/healthz", Ct)).StatusCode);
        var ready = await shop.Client.GetAsync("/readyz", Ct);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal("ok", (string?)(await ready.ReadJsonAsync())["checks"]!["database"]);
    }

    [Fact]
    public async Task ReadinessIs503NamingTheDatabaseWhenItIsUnusable()
    {
        await using var shop = await ShopApp.StartAsync();
        // A queue worker may open a connection between the pool clearing and the swap; it keeps the
        // removed wal index mapped, trusts its page cache and may even checkpoint old pages into the
        // file. So the swap is repeated, with the pools cleared after it, until readiness sees it.
        await Poll.UntilAsync(async () =>
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            File.Delete(shop.Settings.Database + "-wal");
            File.Delete(shop.Settings.Database + "-shm");
            await File.WriteAllTextAsync(shop.Settings.Database, new string('x', 4096), Ct);
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            return (await shop.Client.GetAsync("/readyz", Ct)).StatusCode == HttpStatusCode.ServiceUnavailable;
        }, "readiness to see the database spoilt");
        var response = await shop.Client.GetAsync("/readyz", Ct);

        await response.AssertProblemAsync(503, "Not ready: database is down");
        Assert.Equal(HttpStatusCode.OK, (await shop.Client.GetAsync("/healthz", Ct)).StatusCode);
        await shop.WaitForLogAsync(l => l.Contains(" - ERROR - Shop.Features.Operations.Readiness - Record - ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ADatabaseThatCannotEvenBeOpenedIsAnErrorInTheLogToo()
    {
        await using var shop = await ShopApp.StartAsync();
        // A directory where the file was: SQLite cannot open it, and EF's CanConnect says false
        // rather than throwing. The queue workers' polls may create the file again in between, so
        // this is repeated until the directory stands.
        await Poll.UntilAsync(() =>
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            foreach (var suffix in new[] { "", "-wal", "-shm" })
            {
                File.Delete(shop.Settings.Database + suffix);
            }
            try
            {
                Directory.CreateDirectory(shop.Settings.Database);
                return true;
            }
            catch (IOException)
            {
                return false;
            }
        }, "a directory in place of the database file");

        // A connection a queue worker opened just before the swap still reads the removed file; once
        // the pools are cleared again no connection reaches it.
        await Poll.UntilAsync(async () =>
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            return (await shop.Client.GetAsync("/readyz", Ct)).StatusCode == HttpStatusCode.ServiceUnavailable;
        }, "readiness to see the database gone");
        await (await shop.Client.GetAsync("/readyz", Ct)).AssertProblemAsync(503, "Not ready: database is down");

        await shop.WaitForLogAsync(l => l.Contains(" - ERROR - Shop.Features.Operations.Readiness - Record - ", StringComparison.Ordinal)
            && l.Contains("Not ready: database is down", StringComparison.Ordinal));
    }
}
