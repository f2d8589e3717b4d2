using System.Net;
using System.Text.Json.Nodes;

namespace Shop.Tests.Features.ApiKeys;

public abstract class ApiKeysApiTests
{
    public sealed class OnSqlite : ApiKeysApiTests;

    public sealed class OnPostgres : ApiKeysApiTests, IOnPostgres;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ANewKeyIsShownOnceAndListedWithoutItsSecret()
    {
        await using var shop = await ShopApp.StartAsync();
        using var alice = await shop.SignInAsync("alice");
        var response = await alice.PostAsync("/api/v1/api-keys", Http.Json("""{"name":"laptop"}"""), Ct);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = await response.ReadJsonAsync();
        Assert.Equal(["id", "name", "key", "prefix", "created_at"], created.AsObject().Select(p => p.Key));
        Assert.Equal($"/api/v1/api-keys/{created["id"]}", response.Headers.Location!.OriginalString);
        var key = (string)created["key"]!;
        Assert.StartsWith((string)created["prefix"]!, key);
        Assert.True(key.Length >= 40, "a key carries 256 random bits");

        var list = await alice.GetAsync("/api/v1/api-keys", Ct);
        var text = await list.Content.ReadAsStringAsync(Ct);
        Assert.DoesNotContain(key, text);
        var item = JsonNode.Parse(text)!["items"]!.AsArray().Single()!;
        Assert.Equal(["id", "name", "prefix", "created_at"], item.AsObject().Select(p => p.Key));
        Assert.Equal("laptop", (string?)item["name"]);
    }

    [Fact]
    public async Task EachUserListsOnlyTheirOwnKeys()
    {
        await using var shop = await ShopApp.StartAsync();
        using var bob = await shop.SignInAsync("bob");
        using var carol = await shop.SignInAsync("carol");
        await ShopApp.CreateApiKeyAsync(bob, "bob's");
        var body = await (await carol.GetAsync("/api/v1/api-keys", Ct)).ReadJsonAsync();
        Assert.Equal(0, (int)body["total"]!);
    }

    [Fact]
    public async Task AKeyActsAsItsOwner()
    {
        await using var shop = await ShopApp.StartAsync();
        using var dave = await shop.SignInAsync("dave");
        using var byKey = shop.ApiKeyClient(await ShopApp.CreateApiKeyAsync(dave));
        var me = await (await byKey.GetAsync("/api/v1/users/me", Ct)).ReadJsonAsync();
        Assert.Equal("dave", (string?)me["username"]);
        await (await byKey.PostAsync("/api/v1/goods", Http.Json("""{"sku":"K-1","name":"Tea","price":1}"""), Ct)).AssertProblemAsync(403);

        using var adminByKey = shop.ApiKeyClient(await ShopApp.CreateApiKeyAsync(shop.AdminClient()));
        var goods = await adminByKey.PostAsync("/api/v1/goods", Http.Json("""{"sku":"K-1","name":"Tea","price":1}"""), Ct);
        Assert.Equal(HttpStatusCode.Created, goods.StatusCode);
    }

    [Fact]
    public async Task ADeletedKeyFailsOnTheNextRequest()
    {
        await using var shop = await ShopApp.StartAsync();
        using var erin = await shop.SignInAsync("erin");
        var created = await (await erin.PostAsync("/api/v1/api-keys", Http.Json("""{"name":"ci"}"""), Ct)).ReadJsonAsync();
        using var byKey = shop.ApiKeyClient((string)created["key"]!);
        Assert.Equal(HttpStatusCode.OK, (await byKey.GetAsync("/api/v1/users/me", Ct)).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await erin.DeleteAsync($"/api/v1/api-keys/{created["id"]}", Ct)).StatusCode);
        await (await byKey.GetAsync("/api/v1/users/me", Ct)).AssertProblemAsync(401, "Invalid API KEY");
    }

    [Fact]
    public async Task AnotherUsersKeyCannotBeDeleted()
    {
        await using var shop = await ShopApp.StartAsync();
        using var frank = await shop.SignInAsync("frank");
        using var gina = await shop.SignInAsync("gina");
        var created = await (await frank.PostAsync("/api/v1/api-keys", Http.Json("""{"name":"mine"}"""), Ct)).ReadJsonAsync();

        await (await gina.DeleteAsync($"/api/v1/api-keys/{created["id"]}", Ct)).AssertProblemAsync(404, $"API key {created["id"]} not found");
        using var byKey = shop.ApiKeyClient((string)created["key"]!);
        Assert.Equal(HttpStatusCode.OK, (await byKey.GetAsync("/api/v1/users/me", Ct)).StatusCode);
    }

    [Theory]
    [InlineData("not-a-key")]
    [InlineData("")]
    public async Task ABadKeyIsInvalidApiKey(string key)
    {
        await using var shop = await ShopApp.StartAsync();
        using var client = shop.ApiKeyClient(key);
        var response = await client.PostAsync("/api/v1/goods", Http.Json("""{"sku":"K-1","name":"Tea","price":1}"""), Ct);
        await response.AssertProblemAsync(401, "Invalid API KEY");
    }

    [Fact]
    public async Task KeysNeedSigningIn()
    {
        await using var shop = await ShopApp.StartAsync();
        await (await shop.Client.GetAsync("/api/v1/api-keys", Ct)).AssertProblemAsync(401, "Authentication required");
        await (await shop.Client.PostAsync("/api/v1/api-keys", Http.Json("""{"name":"x"}"""), Ct)).AssertProblemAsync(401, "Authentication required");
    }

    [Fact]
    public async Task AKeyNeedsAName()
    {
        await using var shop = await ShopApp.StartAsync();
        using var admin = shop.AdminClient();
        var body = await (await admin.PostAsync("/api/v1/api-keys", Http.Json("{}"), Ct)).AssertProblemAsync(400, "Validation failed");
        Assert.Equal("is required", (string?)body["errors"]!["name"]![0]);
    }
}
