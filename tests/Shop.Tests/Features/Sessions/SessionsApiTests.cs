using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;

namespace Shop.Tests.Features.Sessions;

public sealed class SessionsApiTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static StringContent Login(string username, string password) =>
        Http.Json(new JsonObject { ["username"] = username, ["password"] = password });

    [Fact]
    public async Task LoggingInAnswersABearerTokenWithItsExpiryAndUser()
    {
        await using var shop = await ShopApp.StartAsync();
        await shop.CreateUserAsync("alice");
        var response = await shop.Client.PostAsync("/api/v1/sessions", Login("alice", ShopApp.Password), Ct);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await response.ReadJsonAsync();
        Assert.Equal(["token", "token_type", "expires_at", "user"], body.AsObject().Select(p => p.Key));
        Assert.Equal("Bearer", (string?)body["token_type"]);
        Assert.True(((string)body["token"]!).Length >= 22, "a token carries at least 128 random bits");
        var expires = DateTime.Parse((string)body["expires_at"]!, null, System.Globalization.DateTimeStyles.AdjustToUniversal);
        Assert.InRange(expires - DateTime.UtcNow, TimeSpan.FromHours(23.9), TimeSpan.FromHours(24));
        Assert.Equal("alice", (string?)body["user"]!["username"]);
        using var alice = shop.BearerClient((string)body["token"]!);
        Assert.Equal(HttpStatusCode.OK, (await alice.GetAsync("/api/v1/users/me", Ct)).StatusCode);
    }

    [Fact]
    public async Task AWrongPasswordAndAnUnknownUserGetTheSameAnswer()
    {
        await using var shop = await ShopApp.StartAsync();
        await shop.CreateUserAsync("bob");
        await (await shop.Client.PostAsync("/api/v1/sessions", Login("bob", "wrong password"), Ct))
            .AssertProblemAsync(401, "Invalid username or password");
        await (await shop.Client.PostAsync("/api/v1/sessions", Login("nobody", "wrong password"), Ct))
            .AssertProblemAsync(401, "Invalid username or password");
    }

    [Fact]
    public async Task ALoggedOutTokenFailsOnTheNextRequest()
    {
        await using var shop = await ShopApp.StartAsync();
        using var carol = await shop.SignInAsync("carol");
        var response = await carol.DeleteAsync("/api/v1/sessions/current", Ct);
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);

        var after = await carol.GetAsync("/api/v1/users/me", Ct);
        await after.AssertProblemAsync(401, "Invalid or expired token");
    }

    [Fact]
    public async Task AnUnknownTokenIsInvalidOrExpired()
    {
        await using var shop = await ShopApp.StartAsync();
        using var client = shop.BearerClient("not-a-token");
        await (await client.GetAsync("/api/v1/users/me", Ct)).AssertProblemAsync(401, "Invalid or expired token");
    }

    [Fact]
    public async Task ATokenExpiresAfterTheSessionTtl()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var shop = await ShopApp.StartAsync(s => s with { SessionTtl = TimeSpan.FromHours(2) },
            b => b.Services.AddSingleton<TimeProvider>(clock));
        using var dave = await shop.SignInAsync("dave");
        clock.Advance(TimeSpan.FromHours(2) - TimeSpan.FromSeconds(2));
        Assert.Equal(HttpStatusCode.OK, (await dave.GetAsync("/api/v1/users/me", Ct)).StatusCode);

        clock.Advance(TimeSpan.FromSeconds(2));
        await (await dave.GetAsync("/api/v1/users/me", Ct)).AssertProblemAsync(401, "Invalid or expired token");
    }

    [Fact]
    public async Task ACustomerIsRefusedGoodsWrites()
    {
        await using var shop = await ShopApp.StartAsync();
        using var erin = await shop.SignInAsync("erin");
        var response = await erin.PostAsync("/api/v1/goods", Http.Json("""{"sku":"TEA-1","name":"Tea","price":1}"""), Ct);
        await response.AssertProblemAsync(403, "You are not allowed to do this");
    }

    [Fact]
    public async Task GoodsWritesWithoutCredentialsAreAuthenticationRequired()
    {
        await using var shop = await ShopApp.StartAsync();
        var response = await shop.Client.PostAsync("/api/v1/goods", Http.Json("""{"sku":"TEA-1","name":"Tea","price":1}"""), Ct);
        await response.AssertProblemAsync(401, "Authentication required");
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().ToString());
    }

    [Fact]
    public async Task LoggingOutNeedsASessionToken()
    {
        await using var shop = await ShopApp.StartAsync();
        await (await shop.Client.DeleteAsync("/api/v1/sessions/current", Ct)).AssertProblemAsync(401, "Authentication required");
        using var byKey = shop.ApiKeyClient(await ShopApp.CreateApiKeyAsync(shop.AdminClient()));
        await (await byKey.DeleteAsync("/api/v1/sessions/current", Ct)).AssertProblemAsync(403);
    }

    [Fact]
    public async Task LoggingInNeedsBothFields()
    {
        await using var shop = await ShopApp.StartAsync();
        var body = await (await shop.Client.PostAsync("/api/v1/sessions", Http.Json("""{"username":"x"}"""), Ct)).AssertProblemAsync(400, "Validation failed");
        Assert.Equal("is required", (string?)body["errors"]!["password"]![0]);
        await (await shop.Client.PostAsync("/api/v1/sessions", Http.Json("""{"username":"x","password":"y","extra":1}"""), Ct)).AssertProblemAsync(400);
    }
}
