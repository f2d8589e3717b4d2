using System.Net;
using System.Text.Json.Nodes;

namespace Shop.Tests.Rest;

/// <summary>nosniff everywhere, no-store where a credential is involved, Vary naming what answers depend on, a CSP on /docs: on every route group.</summary>
public sealed class SecurityHeadersTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<string> AnonymousReads =>
        ["/", "/api/v1", "/api/v1/goods", "/api/v1/goods/1", "/healthz", "/readyz", "/metrics", "/openapi/v1.json", "/no/such/path"];

    public static TheoryData<string> SignedInReads =>
    [
        "/api/v1/goods", "/api/v1/goods/1", "/api/v1/users", "/api/v1/users/me", "/api/v1/users/1", "/api/v1/sessions",
        "/api/v1/sessions/current", "/api/v1/api-keys", "/api/v1/orders", "/api/v1/jobs/1", "/",
    ];

    [Theory]
    [MemberData(nameof(AnonymousReads))]
    public async Task AnAnonymousReadIsNosniffAndKeepsItsCachingRules(string path)
    {
        await using var shop = await ShopApp.StartAsync();
        using var admin = shop.AdminClient();
        await admin.PostAsync("/api/v1/goods", Http.Json("""{"sku":"H-1","name":"Hat","price":3}"""), Ct);

        var response = await shop.Client.GetAsync(path, Ct);

        Assert.Equal(["nosniff"], response.Headers.GetValues("X-Content-Type-Options"));
        Assert.Superset(new HashSet<string> { "Accept", "Authorization", "X-API-Key" }, response.Headers.Vary.ToHashSet());
        if (path == "/api/v1/goods/1")
        {
            // A public goods read keeps its ETag caching: no no-store.
            Assert.NotNull(response.Headers.ETag);
            Assert.False(response.Headers.CacheControl?.NoStore ?? false);
        }
    }

    [Theory]
    [MemberData(nameof(SignedInReads))]
    public async Task EveryAnswerToARequestWithACredentialIsNoStore(string path)
    {
        await using var shop = await ShopApp.StartAsync();
        using var admin = shop.AdminClient();
        await admin.PostAsync("/api/v1/goods", Http.Json("""{"sku":"H-1","name":"Hat","price":3}"""), Ct);
        await admin.PostAsync("/api/v1/goods/imports", Http.Json("[]"), Ct);

        // An API key has no session: /sessions/current is a 403 for it (still no-store, as every error).
        foreach (var client in path == "/api/v1/sessions/current" ? [admin] : new[] { admin, shop.ApiKeyClient(ShopApp.AdminKey) })
        {
            var response = await client.GetAsync(path, Ct);

            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode}");
            Assert.True(response.Headers.CacheControl?.NoStore, path);
            Assert.Equal(["nosniff"], response.Headers.GetValues("X-Content-Type-Options"));
            Assert.Superset(new HashSet<string> { "Accept", "Authorization", "X-API-Key" }, response.Headers.Vary.ToHashSet());
        }
    }

    [Fact]
    public async Task AnswersCarryingACredentialAreNoStore()
    {
        await using var shop = await ShopApp.StartAsync();
        var registered = await shop.Client.PostAsync("/api/v1/users", Http.Json("""{"username":"carol","password":"carol-password-1"}"""), Ct);
        Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
        Assert.True(registered.Headers.CacheControl?.NoStore);

        var login = await shop.Client.PostAsync("/api/v1/sessions", Http.Json("""{"username":"carol","password":"carol-password-1"}"""), Ct);
        Assert.Equal(HttpStatusCode.Created, login.StatusCode);
        Assert.True(login.Headers.CacheControl?.NoStore);

        using var carol = shop.BearerClient((string)(await login.ReadJsonAsync())["token"]!);
        var key = await carol.PostAsync("/api/v1/api-keys", Http.Json(new JsonObject { ["name"] = "ci" }), Ct);
        Assert.Equal(HttpStatusCode.Created, key.StatusCode);
        Assert.True(key.Headers.CacheControl?.NoStore);
        Assert.Equal(["nosniff"], key.Headers.GetValues("X-Content-Type-Options"));
    }

    [Fact]
    public async Task TheDocsPageForbidsFramingAndOtherOrigins()
    {
        await using var shop = await ShopApp.StartAsync();

        var response = await shop.Client.GetAsync("/docs/", Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var policy = Assert.Single(response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("frame-ancestors 'none'", policy, StringComparison.Ordinal);
        Assert.Contains("default-src 'self'", policy, StringComparison.Ordinal);
        Assert.Equal(["DENY"], response.Headers.GetValues("X-Frame-Options"));
        Assert.Equal(["nosniff"], response.Headers.GetValues("X-Content-Type-Options"));
    }

    [Fact]
    public async Task TheOpenApiDocumentDoesNotEchoTheHostHeader()
    {
        await using var shop = await ShopApp.StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/openapi/v1.json") { Headers = { Host = "evil.example" } };

        var document = await (await shop.Client.SendAsync(request, Ct)).ReadJsonAsync();

        Assert.DoesNotContain("evil.example", document.ToJsonString(), StringComparison.Ordinal);
        Assert.Equal("/", (string?)document["servers"]![0]!["url"]);
    }
}
