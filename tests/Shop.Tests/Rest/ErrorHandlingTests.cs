using System.Net;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Shop.Infrastructure.Data;

namespace Shop.Tests.Rest;

public sealed class ErrorHandlingTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AnUnknownPathIsAProblem404()
    {
        await using var shop = await ShopApp.StartAsync();
        await (await shop.Client.GetAsync("/api/v1/nothing-here", Ct)).AssertProblemAsync(404, "No such resource");
    }

    [Theory]
    [InlineData("/openapi/v2.json")]
    [InlineData("/openapi/nothing")]
    public async Task AnUnknownOpenApiDocumentIsAProblem404(string path)
    {
        await using var shop = await ShopApp.StartAsync();
        await (await shop.Client.GetAsync(path, Ct)).AssertProblemAsync(404, "No such resource");
        Assert.Equal(HttpStatusCode.OK, (await shop.Client.GetAsync("/openapi/v1.json", Ct)).StatusCode);
    }

    [Fact]
    public async Task AWrongMethodIs405WithAllow()
    {
        await using var shop = await ShopApp.StartAsync();
        var response = await shop.Client.DeleteAsync("/api/v1/goods", Ct);
        await response.AssertProblemAsync(405);
        Assert.Equal(["GET", "HEAD", "POST"], response.Content.Headers.Allow.Order());
        var onItem = await shop.Client.PostAsync("/api/v1/goods/1", Http.Json("{}"), Ct);
        await onItem.AssertProblemAsync(405);
        Assert.Equal(["DELETE", "GET", "HEAD", "PATCH", "PUT"], onItem.Content.Headers.Allow.Order());
    }

    [Fact]
    public async Task TheClientsRequestIdIsEchoedInHeaderAndBody()
    {
        await using var shop = await ShopApp.StartAsync();
        using var client = shop.CreateClient(("X-Request-Id", "abc-123.XYZ_7"));
        var response = await client.GetAsync("/api/v1/goods/42", Ct);
        Assert.Equal("abc-123.XYZ_7", response.Headers.GetValues("X-Request-Id").Single());
        var body = await response.AssertProblemAsync(404);
        Assert.Equal("abc-123.XYZ_7", (string?)body["request_id"]);
    }

    [Theory]
    [InlineData("has spaces")]
    [InlineData("<script>")]
    [InlineData("x'; DROP TABLE goods;--")]
    public async Task AnUnsafeRequestIdIsReplaced(string supplied)
    {
        await using var shop = await ShopApp.StartAsync();
        using var client = shop.CreateClient(("X-Request-Id", supplied));
        var response = await client.GetAsync("/", Ct);
        var id = response.Headers.GetValues("X-Request-Id").Single();
        Assert.NotEqual(supplied, id);
        Assert.Matches("^[0-9a-f]{32}$", id);
    }

    [Fact]
    public async Task ARequestIdOver128CharactersIsReplaced()
    {
        await using var shop = await ShopApp.StartAsync();
        using var client = shop.CreateClient(("X-Request-Id", new string('a', 129)));
        var id = (await client.GetAsync("/", Ct)).Headers.GetValues("X-Request-Id").Single();
        Assert.Equal(32, id.Length);
        using var exact = shop.CreateClient(("X-Request-Id", new string('b', 128)));
        Assert.Equal(new string('b', 128), (await exact.GetAsync("/", Ct)).Headers.GetValues("X-Request-Id").Single());
    }

    [Fact]
    public async Task EveryResponseCarriesANewRequestIdWhenTheClientSentNone()
    {
        await using var shop = await ShopApp.StartAsync();
        var first = (await shop.Client.GetAsync("/", Ct)).Headers.GetValues("X-Request-Id").Single();
        var second = (await shop.Client.GetAsync("/", Ct)).Headers.GetValues("X-Request-Id").Single();
        Assert.NotEqual(first, second);
    }

    [Fact]
    public async Task AnUnexpectedFailureIs500WithoutInternalsAndIsLoggedAsError()
    {
        await using var shop = await ShopApp.StartAsync();
        await using (var scope = shop.App.Services.CreateAsyncScope())
        {
            // Break the schema under the running service: the next query fails unexpectedly.
            await scope.ServiceProvider.GetRequiredService<ShopDb>().Database.ExecuteSqlRawAsync("DROP TABLE goods", Ct);
        }

        var response = await shop.Client.GetAsync("/api/v1/goods", Ct);

        var body = await response.AssertProblemAsync(500, "Internal server error");
        var text = body.ToJsonString();
        Assert.DoesNotContain("goods", text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("Exception", text, StringComparison.Ordinal);
        Assert.DoesNotContain("at Shop", text, StringComparison.Ordinal);
        var lines = await shop.WaitForLogAsync(l => l.Contains(" - ERROR - Shop.Rest.ProblemExceptionHandler - ", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains(" - ERROR - Shop.Rest.ProblemExceptionHandler - ", StringComparison.Ordinal) && l.Contains("GET /api/v1/goods", StringComparison.Ordinal));
        // One failure is one ERROR event: EF's own report of the same failure stays at DEBUG.
        Assert.Single(lines, l => l.Contains(" - ERROR - ", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(9_000)]
    [InlineData(100_000)]
    [InlineData(900_000)]
    public async Task ARequestTargetOver8KiBIsAProblem414(int length)
    {
        await using var shop = await ShopApp.StartAsync();
        var response = await shop.Client.GetAsync("/api/v1/goods?q=" + new string('x', length), Ct);
        await response.AssertProblemAsync(414);
    }

    [Fact]
    public async Task ErrorAnswersAreNotCacheable()
    {
        await using var shop = await ShopApp.StartAsync();
        var response = await shop.Client.GetAsync("/api/v1/goods/1", Ct);
        Assert.True(response.Headers.CacheControl!.NoStore);
        JsonNode? body = await response.AssertProblemAsync(404);
        Assert.Equal("Not Found", (string?)body["title"]);
    }
}
