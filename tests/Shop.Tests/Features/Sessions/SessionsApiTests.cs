using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;

namespace Shop.Tests.Features.Sessions;

public abstract class SessionsApiTests
{
    public sealed class OnSqlite : SessionsApiTests;

    public sealed class OnPostgres : SessionsApiTests, IOnPostgres;

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
    public async Task TheLocationOfALoginShowsThatSession()
    {
        await using var shop = await ShopApp.StartAsync();
        await shop.CreateUserAsync("amy");
        var response = await shop.Client.PostAsync("/api/v1/sessions", Login("amy", ShopApp.Password), Ct);
        using var amy = shop.BearerClient((string)(await response.ReadJsonAsync())["token"]!);

        var current = await amy.GetAsync(response.Headers.Location, Ct);

        Assert.Equal(HttpStatusCode.OK, current.StatusCode);
        var body = await current.ReadJsonAsync();
        Assert.Equal(["id", "created_at", "expires_at", "current"], body.AsObject().Select(p => p.Key));
        Assert.True((bool)body["current"]!);
        var listed = (await (await amy.GetAsync("/api/v1/sessions", Ct)).ReadJsonAsync())["items"]!.AsArray();
        Assert.Equal((long)body["id"]!, (long)Assert.Single(listed)!["id"]!);

        Assert.Equal(HttpStatusCode.NoContent, (await amy.DeleteAsync(response.Headers.Location, Ct)).StatusCode);
        await (await amy.GetAsync(response.Headers.Location, Ct)).AssertProblemAsync(401, "Invalid or expired token");
    }

    [Fact]
    public async Task AnApiKeyHasNoCurrentSession()
    {
        await using var shop = await ShopApp.StartAsync();
        using var admin = shop.CreateClient(("X-API-Key", ShopApp.AdminKey));
        await (await admin.GetAsync("/api/v1/sessions/current", Ct)).AssertProblemAsync(403);
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

    [Theory]
    [InlineData("/api/v1/goods")]
    [InlineData("/api/v1")]
    public async Task ALoggedOutTokenIsRefusedEvenWhereNoCredentialIsNeeded(string publicPath)
    {
        await using var shop = await ShopApp.StartAsync();
        using var carol = await shop.SignInAsync("carol");
        Assert.Equal(HttpStatusCode.OK, (await carol.GetAsync(publicPath, Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await carol.DeleteAsync("/api/v1/sessions/current", Ct)).StatusCode);

        var after = await carol.GetAsync(publicPath, Ct);

        await after.AssertProblemAsync(401, "Invalid or expired token");
        Assert.Equal("Bearer error=\"invalid_token\"", after.Headers.WwwAuthenticate.ToString());
        Assert.Equal(HttpStatusCode.OK, (await shop.Client.GetAsync(publicPath, Ct)).StatusCode);
    }

    [Fact]
    public async Task ABadApiKeyIsRefusedEvenWhereNoCredentialIsNeeded()
    {
        await using var shop = await ShopApp.StartAsync();
        using var client = shop.CreateClient(("X-API-Key", "not-a-key"));
        await (await client.GetAsync("/api/v1/goods", Ct)).AssertProblemAsync(401, "Invalid API KEY");
    }

    [Fact]
    public async Task AStaleTokenDoesNotStopLoggingInOrRegistering()
    {
        await using var shop = await ShopApp.StartAsync();
        await shop.CreateUserAsync("dina");
        using var stale = shop.BearerClient("stale-token-from-yesterday");

        Assert.Equal(HttpStatusCode.Created, (await stale.PostAsync("/api/v1/sessions", Login("dina", ShopApp.Password), Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await stale.PostAsync("/api/v1/users", Login("eden", ShopApp.Password), Ct)).StatusCode);
    }

    [Theory]
    [InlineData("Bearer ")]
    [InlineData("Bearer")]
    [InlineData("bearer    ")]
    public async Task ABearerHeaderWithoutATokenIsABadCredential(string header)
    {
        await using var shop = await ShopApp.StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/goods");
        request.Headers.TryAddWithoutValidation("Authorization", header);
        await (await shop.Client.SendAsync(request, Ct)).AssertProblemAsync(401, "Invalid or expired token");
    }

    [Fact]
    public async Task ABadCredentialDoesNotHideTheAnswerToTheRequestsShape()
    {
        await using var shop = await ShopApp.StartAsync();
        using var stale = shop.BearerClient("stale-token");
        await (await stale.PostAsync("/api/v1/sessions", new StringContent("x", System.Text.Encoding.UTF8, "text/plain"), Ct)).AssertProblemAsync(415);
        await (await stale.GetAsync("/api/v1/no-such-thing", Ct)).AssertProblemAsync(404);
        await (await stale.DeleteAsync("/api/v1/goods", Ct)).AssertProblemAsync(405);
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

    [Fact]
    public async Task ListingSessionsShowsOnlyYourLiveOnesWithoutTokens()
    {
        await using var shop = await ShopApp.StartAsync();
        var otherToken = await shop.LogInAsync(ShopApp.AdminUsername);
        using var frank = await shop.SignInAsync("frank");
        var response = await frank.GetAsync("/api/v1/sessions", Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.DoesNotContain(otherToken, text);
        var item = JsonNode.Parse(text)!["items"]!.AsArray().Single()!;
        Assert.Equal(["id", "created_at", "expires_at", "current"], item.AsObject().Select(p => p.Key));
        Assert.True((bool)item["current"]!);
        await (await shop.Client.GetAsync("/api/v1/sessions", Ct)).AssertProblemAsync(401, "Authentication required");
    }
}
