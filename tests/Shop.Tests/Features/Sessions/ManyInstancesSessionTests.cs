using System.Net;
using System.Text.Json.Nodes;

namespace Shop.Tests.Features.Sessions;

/// <summary>Sessions and the login throttle with several instances on one database, on SQLite and on PostgreSQL.</summary>
public abstract class ManyInstancesSessionTests
{
    public sealed class OnSqlite : ManyInstancesSessionTests;

    public sealed class OnPostgres : ManyInstancesSessionTests, IOnPostgres;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ALogOutOnOneInstanceMakesTheTokenFailOnAnotherAtOnce()
    {
        await using var database = await TestDatabase.CreateAsync();
        await using var a = await ShopApp.StartAsync(s => s with { Database = database.Setting });
        await using var b = await ShopApp.StartAsync(s => s with { Database = database.Setting });
        await a.CreateUserAsync("roamer");
        var token = await a.LogInAsync("roamer");
        using var onA = a.BearerClient(token);
        using var onB = b.BearerClient(token);
        Assert.Equal(HttpStatusCode.OK, (await onB.GetAsync("/api/v1/users/me", Ct)).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await onA.DeleteAsync("/api/v1/sessions/current", Ct)).StatusCode);

        // The very next request on B: sessions are read from the database on every request.
        await (await onB.GetAsync("/api/v1/users/me", Ct)).AssertProblemAsync(401);
    }

    [Fact]
    public async Task ConcurrentWrongPasswordsSpreadOverTwoProcessesGetNoMoreThanFiveTries()
    {
        await using var database = await TestDatabase.CreateAsync();
        using var folder = new TempFolder();
        var environment = new Dictionary<string, string> { ["SHOP_DATABASE"] = database.Setting, ["SHOP_SECRET_KEY"] = "throttle-secret" };
        var created = await ShopCommand.RunAsync(["users", "create", "erin", "--role", "customer"], environment, ShopApp.Password + "\n");
        Assert.True(created.ExitCode == 0, created.Stderr);
        await using var first = await ServeProcess.StartAsync(environment, folder.File("first.log"));
        await using var second = await ServeProcess.StartAsync(environment, folder.File("second.log"));

        // Separate processes share no lock in memory: only the database can make them take turns.
        var answers = await Task.WhenAll(Enumerable.Range(0, 24).Select(i =>
            ((i % 2 == 0) ? first : second).Client.PostAsync("/api/v1/sessions",
                Http.Json(new JsonObject { ["username"] = "erin", ["password"] = $"wrong password {i}" }), Ct)));

        var statuses = answers.Select(a => (int)a.StatusCode).ToList();
        Assert.Equal(5, statuses.Count(s => s == 401));
        Assert.Equal(answers.Length - 5, statuses.Count(s => s == 429));
        foreach (var instance in (ServeProcess[])[first, second])
        {
            var right = await instance.Client.PostAsync("/api/v1/sessions",
                Http.Json(new JsonObject { ["username"] = "erin", ["password"] = ShopApp.Password }), Ct);
            await right.AssertProblemAsync(429);
        }
    }
}
