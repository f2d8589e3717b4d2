using System.Net;
using System.Text.Json.Nodes;
using Shop.Infrastructure.Auth;

namespace Shop.Tests.Features.Users;

/// <summary>PATCH and DELETE of <c>/api/v1/users/{id}</c>.</summary>
public abstract class UserChangesTests
{
    public sealed class OnSqlite : UserChangesTests;

    public sealed class OnPostgres : UserChangesTests, IOnPostgres;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static HttpRequestMessage Patch(long id, JsonObject body) =>
        new(HttpMethod.Patch, $"/api/v1/users/{id}") { Content = Http.Json(body.ToJsonString(), "application/merge-patch+json") };

    [Fact]
    public async Task AnAccountDeletedByAnAdminWhileItsOwnerChangesItIsNotFoundNotAnError()
    {
        var paused = new PausedThrottle();
        await using var shop = await ShopApp.StartAsync(configure: b => b.Services.AddScoped<ILoginThrottle>(_ => paused));
        using var admin = shop.AdminClient();
        using var owen = await shop.SignInAsync("owen");
        var id = (await shop.FindUserAsync("owen"))!.Id;
        paused.Armed = true;

        // The owner's PATCH has read the account and waits at the password check; the admin deletes it meanwhile.
        var change = owen.SendAsync(Patch(id, new JsonObject { ["email"] = "o@example.com", ["current_password"] = ShopApp.Password }), Ct);
        await paused.Reached.Task.WaitAsync(TimeSpan.FromSeconds(30), Ct);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api/v1/users/{id}", Ct)).StatusCode);
        paused.Release.SetResult();

        await (await change).AssertProblemAsync(404);
        Assert.Null(await shop.FindUserAsync("owen"));
    }

    /// <summary>A login throttle that lets every attempt through; once armed, the next one only when the test releases it.</summary>
    private sealed class PausedThrottle : ILoginThrottle, IAsyncDisposable
    {
        public volatile bool Armed;

        public TaskCompletionSource Reached { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public async Task<IAsyncDisposable> BeginAttemptAsync(string username, CancellationToken cancellationToken)
        {
            if (Armed)
            {
                Reached.TrySetResult();
                await Release.Task.WaitAsync(cancellationToken);
            }
            return this;
        }

        public Task FailedAsync(string username, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task SucceededAsync(string username, CancellationToken cancellationToken) => Task.CompletedTask;

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    [Fact]
    public async Task ChangingTheEmailNeedsTheCurrentPassword()
    {
        await using var shop = await ShopApp.StartAsync();
        using var alice = await shop.SignInAsync("alice");
        var id = (await shop.FindUserAsync("alice"))!.Id;

        var missing = await alice.SendAsync(Patch(id, new JsonObject { ["email"] = "a@example.com" }), Ct);
        Assert.Equal("is required", (string?)(await missing.AssertProblemAsync(400, "Validation failed"))["errors"]!["current_password"]![0]);
        var wrong = await alice.SendAsync(Patch(id, new JsonObject { ["email"] = "a@example.com", ["current_password"] = "not it at all" }), Ct);
        Assert.NotNull((await wrong.AssertProblemAsync(400, "Validation failed"))["errors"]!["current_password"]);

        var right = await alice.SendAsync(Patch(id, new JsonObject { ["email"] = "a@example.com", ["current_password"] = ShopApp.Password }), Ct);
        Assert.Equal(HttpStatusCode.OK, right.StatusCode);
        Assert.Equal("a@example.com", (string?)(await right.ReadJsonAsync())["email"]);
        Assert.Equal("a@example.com", (await shop.FindUserAsync("alice"))!.Email);
    }

    [Fact]
    public async Task ANewPasswordLogsInAndEndsOtherSessions()
    {
        await using var shop = await ShopApp.StartAsync();
        using var bob = await shop.SignInAsync("bob");
        using var bobElsewhere = shop.BearerClient(await shop.LogInAsync("bob"));
        var id = (await shop.FindUserAsync("bob"))!.Id;

        var response = await bob.SendAsync(Patch(id, new JsonObject { ["password"] = "a brand new password", ["current_password"] = ShopApp.Password }), Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.DoesNotContain("a brand new password", await response.Content.ReadAsStringAsync(Ct));

        Assert.Equal(HttpStatusCode.OK, (await bob.GetAsync("/api/v1/users/me", Ct)).StatusCode);
        await (await bobElsewhere.GetAsync("/api/v1/users/me", Ct)).AssertProblemAsync(401, "Invalid or expired token");
        var old = await shop.Client.PostAsync("/api/v1/sessions", Http.Json("""{"username":"bob","password":"correct horse battery staple"}"""), Ct);
        await old.AssertProblemAsync(401, "Invalid username or password");
        Assert.NotEmpty(await shop.LogInAsync("bob", "a brand new password"));
    }

    [Fact]
    public async Task AShortNewPasswordIsRefused()
    {
        await using var shop = await ShopApp.StartAsync();
        using var carol = await shop.SignInAsync("carol");
        var id = (await shop.FindUserAsync("carol"))!.Id;
        var response = await carol.SendAsync(Patch(id, new JsonObject { ["password"] = "short", ["current_password"] = ShopApp.Password }), Ct);
        Assert.NotNull((await response.AssertProblemAsync(400, "Validation failed"))["errors"]!["password"]);
    }

    [Fact]
    public async Task AnotherUsersAccountCannotBeChanged()
    {
        await using var shop = await ShopApp.StartAsync();
        var dave = await shop.CreateUserAsync("dave");
        using var erin = await shop.SignInAsync("erin");
        var body = new JsonObject { ["email"] = "x@example.com", ["current_password"] = ShopApp.Password };
        await (await erin.SendAsync(Patch(dave.Id, body), Ct)).AssertProblemAsync(404);
        using var admin = shop.AdminClient();
        await (await admin.SendAsync(Patch(dave.Id, (JsonObject)body.DeepClone()), Ct)).AssertProblemAsync(403);
    }

    [Fact]
    public async Task AnAdminDeletesAUserWhoseCredentialsStopWorking()
    {
        await using var shop = await ShopApp.StartAsync();
        using var frank = await shop.SignInAsync("frank");
        using var frankByKey = shop.ApiKeyClient(await ShopApp.CreateApiKeyAsync(frank));
        var id = (await shop.FindUserAsync("frank"))!.Id;
        using var admin = shop.AdminClient();

        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api/v1/users/{id}", Ct)).StatusCode);
        await (await frank.GetAsync("/api/v1/users/me", Ct)).AssertProblemAsync(401, "Invalid or expired token");
        await (await frankByKey.GetAsync("/api/v1/users/me", Ct)).AssertProblemAsync(401, "Invalid API KEY");
        await (await admin.GetAsync($"/api/v1/users/{id}", Ct)).AssertProblemAsync(404);
        await (await admin.DeleteAsync($"/api/v1/users/{id}", Ct)).AssertProblemAsync(404);
    }

    [Fact]
    public async Task TheLastAdminCannotBeDeletedButAnotherAdminCan()
    {
        await using var shop = await ShopApp.StartAsync();
        using var admin = shop.AdminClient();
        var self = (await shop.FindUserAsync(ShopApp.AdminUsername))!.Id;

        await (await admin.DeleteAsync($"/api/v1/users/{self}", Ct)).AssertProblemAsync(409, "The last admin cannot be deleted; make another admin first");
        Assert.NotNull(await shop.FindUserAsync(ShopApp.AdminUsername));

        using var second = await shop.SignInAsync("second-admin", "admin");
        var secondId = (await shop.FindUserAsync("second-admin"))!.Id;
        var both = await Task.WhenAll(admin.DeleteAsync($"/api/v1/users/{secondId}", Ct), second.DeleteAsync($"/api/v1/users/{self}", Ct));
        Assert.Single(both, r => r.StatusCode == HttpStatusCode.NoContent);
        // Exactly the admin whose deletion succeeded is gone; the other one remains.
        var secondWasDeleted = both[0].StatusCode == HttpStatusCode.NoContent;
        Assert.Equal(secondWasDeleted, await shop.FindUserAsync("second-admin") is null);
        Assert.Equal(!secondWasDeleted, await shop.FindUserAsync(ShopApp.AdminUsername) is null);
    }

    [Fact]
    public async Task ACustomerCannotDeleteUsers()
    {
        await using var shop = await ShopApp.StartAsync();
        using var gina = await shop.SignInAsync("gina");
        var id = (await shop.FindUserAsync("gina"))!.Id;
        await (await gina.DeleteAsync($"/api/v1/users/{id}", Ct)).AssertProblemAsync(403, "You are not allowed to do this");
    }
}
