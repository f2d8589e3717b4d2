using System.Net;

namespace Shop.Tests.Features.Goods;

public abstract class GoodsValidationTests
{
    public sealed class OnSqlite : GoodsValidationTests;

    public sealed class OnPostgres : GoodsValidationTests, IOnPostgres;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("""{"name":"N","price":1}""", "sku", "is required")]
    [InlineData("""{"sku":"","name":"N","price":1}""", "sku", "must be 1 to 64 characters")]
    [InlineData("""{"sku":"has space","name":"N","price":1}""", "sku", "must be 1 to 64 of A-Z a-z 0-9 - _")]
    [InlineData("""{"sku":"SKU\n","name":"N","price":1}""", "sku", "must be 1 to 64 of A-Z a-z 0-9 - _")]
    [InlineData("""{"sku":"ÄÖ","name":"N","price":1}""", "sku", "must be 1 to 64 of A-Z a-z 0-9 - _")]
    [InlineData("""{"sku":"S","price":1}""", "name", "is required")]
    [InlineData("""{"sku":"S","name":"","price":1}""", "name", "must be 1 to 200 characters")]
    [InlineData("""{"sku":"S","name":"   ","price":1}""", "name", "must not be blank")]
    [InlineData("""{"sku":"S","name":"a\u0000b","price":1}""", "name", "must not contain NUL characters")]
    [InlineData("""{"sku":"S","name":"N"}""", "price", "is required")]
    [InlineData("""{"sku":"S","name":"N","price":-0.01}""", "price", "must be between 0 and 1000000")]
    [InlineData("""{"sku":"S","name":"N","price":1000000.01}""", "price", "must be between 0 and 1000000")]
    [InlineData("""{"sku":"S","name":"N","price":1.001}""", "price", "must have at most 2 decimals")]
    [InlineData("""{"sku":"S","name":"N","price":"1"}""", "price", "has the wrong type")]
    [InlineData("""{"sku":"S","name":"N","price":1,"stock":-1}""", "stock", "must be an integer from 0 to 9007199254740991")]
    [InlineData("""{"sku":"S","name":"N","price":1,"stock":9007199254740992}""", "stock", "must be an integer from 0 to 9007199254740991")]
    [InlineData("""{"sku":"S","name":"N","price":1,"stock":1.5}""", "stock", "has the wrong type")]
    [InlineData("""{"sku":"S","name":"N","price":1,"colour":"red"}""", "colour", "is not a known member")]
    [InlineData("""{"sku":1,"name":"N","price":1}""", "sku", "has the wrong type")]
    public async Task InvalidFieldsAreNamedInA400(string json, string field, string message)
    {
        await using var shop = await ShopApp.StartAsync();
        using var admin = shop.AdminClient();
        var response = await admin.PostAsync("/api/v1/goods", Http.Json(json), Ct);
        var body = await response.AssertProblemAsync(400, "Validation failed");
        Assert.Contains(message, body["errors"]![field]!.AsArray().Select(m => (string?)m));
    }

    [Fact]
    public async Task LengthLimitsCountCharactersNotBytes()
    {
        await using var shop = await ShopApp.StartAsync();
        using var admin = shop.AdminClient();
        var name = string.Concat(Enumerable.Repeat("😀", 200));
        var ok = await admin.PostAsync("/api/v1/goods", Http.Json($$"""{"sku":"E","name":"{{name}}","price":1}"""), Ct);
        Assert.Equal(HttpStatusCode.Created, ok.StatusCode);
        var tooLong = await admin.PostAsync("/api/v1/goods", Http.Json($$"""{"sku":"F","name":"{{name}}x","price":1}"""), Ct);
        await tooLong.AssertProblemAsync(400);
    }

    [Fact]
    public async Task AllFieldErrorsAreReportedTogether()
    {
        await using var shop = await ShopApp.StartAsync();
        using var admin = shop.AdminClient();
        var response = await admin.PostAsync("/api/v1/goods", Http.Json("""{"price":2000000}"""), Ct);
        var errors = (await response.AssertProblemAsync(400))["errors"]!.AsObject();
        Assert.Equal(["name", "price", "sku"], errors.Select(e => e.Key).Order());
    }

    [Theory]
    [InlineData("POST", """{"sku":"bad sku","price":1.001}""", new[] { "name", "price", "sku" })]
    [InlineData("POST", """{"sku":"OK-1","name":"","price":"abc","stock":"many"}""", new[] { "name", "price", "stock" })]
    [InlineData("PUT", """{"sku":"bad sku","name":"N","price":1.001,"stock":-1}""", new[] { "price", "sku", "stock" })]
    [InlineData("PATCH", """{"price":"abc","name":""}""", new[] { "name", "price" })]
    [InlineData("POST", """{"sku":"bad sku","price":1.001,"zzz":1}""", new[] { "name", "price", "sku", "zzz" })]
    [InlineData("PATCH", """{"price":1.001,"colour":"red"}""", new[] { "colour", "price" })]
    public async Task MembersThatCannotBeReadAreReportedWithEveryOtherFieldError(string method, string json, string[] fields)
    {
        await using var shop = await ShopApp.StartAsync();
        using var admin = shop.AdminClient();
        var id = (long)(await GoodsApiTests.CreateAsync(admin, "EXISTING"))["id"]!;
        var path = method == "POST" ? "/api/v1/goods" : $"/api/v1/goods/{id}";

        var response = await admin.SendAsync(Http.Request(new HttpMethod(method), path, json), Ct);

        var errors = (await response.AssertProblemAsync(400, "Validation failed"))["errors"]!.AsObject();
        Assert.Equal(fields, errors.Select(e => e.Key).Order());
    }

    [Theory]
    [InlineData("""{"sku":"A","name":"N","price":1,"price":2}""", "Malformed JSON: a member appears twice in one object")]
    [InlineData("""{"sku":"A","name":"N","price":1,"description":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["deep"]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}""", "Malformed JSON: nested deeper than 32 levels")]
    public async Task MalformedJsonSaysWhatIsWrong(string json, string start)
    {
        await using var shop = await ShopApp.StartAsync();
        using var admin = shop.AdminClient();
        var response = await admin.PostAsync("/api/v1/goods", Http.Json(json), Ct);
        var problem = await response.AssertProblemAsync(400);
        Assert.StartsWith(start, (string?)problem["error"], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"sku\":")]
    [InlineData("not json")]
    [InlineData("{\"sku\":\"A\",\"sku\":\"B\",\"name\":\"N\",\"price\":1}")]
    [InlineData("[1,2]")]
    [InlineData("null")]
    public async Task MalformedOrNonObjectBodiesAre400(string json)
    {
        await using var shop = await ShopApp.StartAsync();
        using var admin = shop.AdminClient();
        var response = await admin.PostAsync("/api/v1/goods", Http.Json(json), Ct);
        await response.AssertProblemAsync(400);
    }

    [Fact]
    public async Task AnEmptyBodyIs400()
    {
        await using var shop = await ShopApp.StartAsync();
        using var admin = shop.AdminClient();
        var response = await admin.PostAsync("/api/v1/goods", Http.Json(""), Ct);
        await response.AssertProblemAsync(400, "A JSON request body is required");
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/xml")]
    [InlineData("application/json; charset=latin1")]
    [InlineData("application/merge-patch+json")]
    public async Task PostWithAnotherMediaTypeIs415(string contentType)
    {
        await using var shop = await ShopApp.StartAsync();
        using var admin = shop.AdminClient();
        var content = new StringContent("""{"sku":"S","name":"N","price":1}""");
        content.Headers.Remove("Content-Type");
        content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        var response = await admin.PostAsync("/api/v1/goods", content, Ct);
        await response.AssertProblemAsync(415);
    }

    [Fact]
    public async Task ABodyOverOneMebibyteIs413()
    {
        await using var shop = await ShopApp.StartAsync();
        using var admin = shop.AdminClient();
        var huge = $$"""{"sku":"S","name":"N","price":1,"description":"{{new string('x', 1024 * 1024)}}"}""";
        var response = await admin.PostAsync("/api/v1/goods", Http.Json(huge), Ct);
        await response.AssertProblemAsync(413, "Request body too large");
    }
}
