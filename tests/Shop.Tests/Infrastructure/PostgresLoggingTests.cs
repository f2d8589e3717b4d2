using System.Net;

namespace Shop.Tests.Infrastructure;

/// <summary>On PostgreSQL, the database password never reaches a log line, at any level.</summary>
public sealed class PostgresLoggingTests : IOnPostgres
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task TheDatabasePasswordIsInNoLogLineEvenAtDebug()
    {
        await using (var shop = await ShopApp.StartAsync(s => s with { LogLevel = "debug" }))
        {
            Assert.Contains(PostgresServer.Password, shop.Settings.Database, StringComparison.Ordinal);
            using var admin = shop.AdminClient();
            Assert.Equal(HttpStatusCode.Created, (await admin.PostAsync("/api/v1/goods",
                Http.Json("""{"sku":"PW-1","name":"Tea","price":1,"stock":1}"""), Ct)).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await shop.Client.GetAsync("/readyz", Ct)).StatusCode);
            var lines = await shop.WaitForLogAsync(l => l.Contains("Goods 1 (PW-1) created", StringComparison.Ordinal));
            Assert.Contains(lines, l => l.Contains("Opening connection to database", StringComparison.Ordinal));
            Assert.DoesNotContain(lines, l => l.Contains(PostgresServer.Password, StringComparison.Ordinal));
        }

        // A server that refuses the connection: the error lines do not show the password either.
        var wrongPort = (await PostgresServer.GetAsync()).Uri("shop_template").Replace($":{(await PostgresServer.GetAsync()).Port}/", $":{ExternalServer.FreePort()}/", StringComparison.Ordinal);
        var result = await ShopCommand.RunAsync(["migrate"], new Dictionary<string, string> { ["SHOP_DATABASE"] = wrongPort, ["SHOP_LOG_LEVEL"] = "debug" });
        Assert.NotEqual(0, result.ExitCode);
        Assert.DoesNotContain(PostgresServer.Password, result.Stdout + result.Stderr, StringComparison.Ordinal);
    }
}
