using System.Net;
using System.Net.Http.Headers;

namespace Shop.Tests.Rest;

/// <summary>Rules the contract sets for every collection, checked on each of them.</summary>
public sealed class CollectionsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<string> Collections => new()
    {
        "/api/v1/goods", "/api/v1/orders", "/api/v1/users", "/api/v1/api-keys", "/api/v1/sessions",
    };

    [Theory]
    [MemberData(nameof(Collections))]
    public async Task EveryCollectionAnswersCsvWithAHeaderRow(string path)
    {
        await using var shop = await ShopApp.StartAsync();
        using var admin = shop.AdminClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, path) { Headers = { Accept = { new MediaTypeWithQualityHeaderValue("text/csv") } } };

        var response = await admin.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType!.MediaType);
        var header = (await response.Content.ReadAsStringAsync(Ct)).Split("\r\n")[0];
        Assert.StartsWith("id,", header, StringComparison.Ordinal);
        Assert.True(response.Headers.Contains("X-Total-Count"));
    }

    [Theory]
    [MemberData(nameof(Collections))]
    public async Task EveryCollectionRefusesATypeItCannotProduceWith406(string path)
    {
        await using var shop = await ShopApp.StartAsync();
        using var admin = shop.AdminClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, path) { Headers = { Accept = { new MediaTypeWithQualityHeaderValue("application/xml") } } };
        await (await admin.SendAsync(request, Ct)).AssertProblemAsync(406);
    }
}
