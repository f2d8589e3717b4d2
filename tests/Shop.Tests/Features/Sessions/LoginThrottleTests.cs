using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using Shop.Features.Sessions;

namespace Shop.Tests.Features.Sessions;

public abstract class LoginThrottleTests
{
    public sealed class OnSqlite : LoginThrottleTests;

    public sealed class OnPostgres : LoginThrottleTests, IOnPostgres;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static Task<HttpResponseMessage> LogInAsync(ShopApp shop, string username, string password) =>
        shop.Client.PostAsync("/api/v1/sessions", Http.Json(new JsonObject { ["username"] = username, ["password"] = password }), Ct);

    private static async Task FailAsync(ShopApp shop, string username, int times)
    {
        for (var i = 0; i < times; i++)
        {
            await (await LogInAsync(shop, username, "wrong password")).AssertProblemAsync(401, "Invalid username or password");
        }
    }

    [Fact]
    public async Task FiveFailuresBlockEvenTheRightPasswordUntilTheWindowPasses()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var shop = await ShopApp.StartAsync(configure: b => b.Services.AddSingleton<TimeProvider>(clock));
        await shop.CreateUserAsync("alice");
        await FailAsync(shop, "alice", 5);

        var blocked = await LogInAsync(shop, "ALICE", ShopApp.Password);
        await blocked.AssertProblemAsync(429);
        Assert.Equal(TimeSpan.FromMinutes(15), blocked.Headers.RetryAfter!.Delta);
        await shop.WaitForLogAsync(l => l.Contains(" - WARNING - ") && l.Contains("Logins for alice throttled"));

        clock.Advance(TimeSpan.FromMinutes(10));
        var later = await LogInAsync(shop, "alice", ShopApp.Password);
        await later.AssertProblemAsync(429);
        Assert.Equal(TimeSpan.FromMinutes(5), later.Headers.RetryAfter!.Delta);

        clock.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(HttpStatusCode.Created, (await LogInAsync(shop, "alice", ShopApp.Password)).StatusCode);
    }

    [Fact]
    public async Task FourFailuresStillLetTheRightPasswordIn()
    {
        await using var shop = await ShopApp.StartAsync();
        await shop.CreateUserAsync("bob");
        await FailAsync(shop, "bob", 4);
        Assert.Equal(HttpStatusCode.Created, (await LogInAsync(shop, "bob", ShopApp.Password)).StatusCode);
    }

    [Fact]
    public async Task AnUnknownUsernameIsThrottledToo()
    {
        await using var shop = await ShopApp.StartAsync();
        await FailAsync(shop, "nobody", 5);
        await (await LogInAsync(shop, "nobody", "wrong password")).AssertProblemAsync(429);
    }

    [Fact]
    public async Task ThrottlingHoldsAcrossARestart()
    {
        await using var shared = await TestDatabase.CreateAsync();
        var database = shared.Setting;
        await using (var first = await ShopApp.StartAsync(s => s with { Database = database }))
        {
            await first.CreateUserAsync("carol");
            await FailAsync(first, "carol", 5);
        }
        await using var second = await ShopApp.StartAsync(s => s with { Database = database });
        await (await LogInAsync(second, "carol", ShopApp.Password)).AssertProblemAsync(429);
    }

    [Fact]
    public async Task ConcurrentWrongPasswordsGetNoMoreThanFiveTries()
    {
        await using var shop = await ShopApp.StartAsync();
        await shop.CreateUserAsync("dora");

        var answers = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => LogInAsync(shop, "dora", "wrong password")));

        Assert.Equal(LoginThrottle.MaxFailures, answers.Count(a => a.StatusCode == HttpStatusCode.Unauthorized));
        Assert.Equal(20 - LoginThrottle.MaxFailures, answers.Count(a => a.StatusCode == HttpStatusCode.TooManyRequests));
        await (await LogInAsync(shop, "dora", ShopApp.Password)).AssertProblemAsync(429);
    }

    [Fact]
    public async Task ConcurrentRightPasswordsAreNeverThrottled()
    {
        await using var shop = await ShopApp.StartAsync();
        await shop.CreateUserAsync("kai");

        var answers = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => LogInAsync(shop, "kai", ShopApp.Password)));

        Assert.All(answers, a => Assert.Equal(HttpStatusCode.Created, a.StatusCode));
    }

    [Fact]
    public async Task WrongCurrentPasswordsCountTowardsTheSameThrottle()
    {
        await using var shop = await ShopApp.StartAsync();
        using var erin = await shop.SignInAsync("erin");
        var id = (await shop.FindUserAsync("erin"))!.Id;
        HttpRequestMessage Change(string currentPassword) => new(HttpMethod.Patch, $"/api/v1/users/{id}")
        {
            Content = Http.Json(new JsonObject { ["email"] = "erin@example.com", ["current_password"] = currentPassword }),
        };

        await FailAsync(shop, "erin", 2);
        for (var i = 0; i < 3; i++)
        {
            await (await erin.SendAsync(Change("a wrong guess"), Ct)).AssertProblemAsync(400, "Validation failed");
        }

        await (await erin.SendAsync(Change(ShopApp.Password), Ct)).AssertProblemAsync(429);
        await (await LogInAsync(shop, "erin", ShopApp.Password)).AssertProblemAsync(429);
    }

    [Fact]
    public async Task TheRightCurrentPasswordClearsEarlierFailures()
    {
        await using var shop = await ShopApp.StartAsync();
        using var fay = await shop.SignInAsync("fay");
        var id = (await shop.FindUserAsync("fay"))!.Id;
        await FailAsync(shop, "fay", 4);

        var change = new HttpRequestMessage(HttpMethod.Patch, $"/api/v1/users/{id}")
        {
            Content = Http.Json(new JsonObject { ["email"] = "fay@example.com", ["current_password"] = ShopApp.Password }),
        };
        Assert.Equal(HttpStatusCode.OK, (await fay.SendAsync(change, Ct)).StatusCode);

        await FailAsync(shop, "fay", 4);
        Assert.Equal(HttpStatusCode.Created, (await LogInAsync(shop, "fay", ShopApp.Password)).StatusCode);
    }
}
