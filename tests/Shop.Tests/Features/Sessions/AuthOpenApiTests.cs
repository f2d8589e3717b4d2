using System.Text.Json.Nodes;

namespace Shop.Tests.Features.Sessions;

public sealed class AuthOpenApiTests
{
    [Fact]
    public async Task TheDocumentDeclaresBothSchemesOnTheOperationsThatNeedThem()
    {
        await using var shop = await ShopApp.StartAsync();
        var document = await (await shop.Client.GetAsync("/openapi/v1.json", TestContext.Current.CancellationToken)).ReadJsonAsync();

        var schemes = document["components"]!["securitySchemes"]!;
        Assert.Equal("http", (string?)schemes["bearer"]!["type"]);
        Assert.Equal("bearer", (string?)schemes["bearer"]!["scheme"]);
        Assert.Equal("apiKey", (string?)schemes["apiKey"]!["type"]);
        Assert.Equal("X-API-Key", (string?)schemes["apiKey"]!["name"]);
        Assert.Equal("header", (string?)schemes["apiKey"]!["in"]);

        static string[] Security(JsonNode operation) =>
            operation["security"]?.AsArray().SelectMany(r => r!.AsObject().Select(p => p.Key)).ToArray() ?? [];
        var paths = document["paths"]!;
        Assert.Equal(["bearer", "apiKey"], Security(paths["/api/v1/goods"]!["post"]!));
        Assert.Equal(["bearer", "apiKey"], Security(paths["/api/v1/users/me"]!["get"]!));
        Assert.Empty(Security(paths["/api/v1/goods"]!["get"]!));
        Assert.Empty(Security(paths["/api/v1/sessions"]!["post"]!));
        Assert.Empty(Security(paths["/api/v1/users"]!["post"]!));
    
    }

    [Fact]
    public async Task TheDocumentShowsThatABadCredentialIsA401EvenOnPublicReads()
    {
        await using var shop = await ShopApp.StartAsync();
        var document = await (await shop.Client.GetAsync("/openapi/v1.json", TestContext.Current.CancellationToken)).ReadJsonAsync();
        var paths = document["paths"]!;

        Assert.NotNull(paths["/api/v1/goods"]!["get"]!["responses"]!["401"]);
        Assert.NotNull(paths["/api/v1/goods/{id}"]!["get"]!["responses"]!["401"]);
        Assert.Null(paths["/api/v1/users"]!["post"]!["responses"]!["401"]);
    }
}
