using System.Text;
using Microsoft.AspNetCore.Http;
using Shop.Features.Goods;
using Shop.Rest;

namespace Shop.Tests.Rest;

/// <summary>The page envelope written from items kept as JSON by a cache is the one written from the items themselves.</summary>
public sealed class PagedResultTests
{
    private static readonly DateTime At = new(2026, 12, 2, 3, 4, 5, DateTimeKind.Utc);

    [Theory]
    [InlineData("Green tea", "plain")]
    [InlineData("Thé vert \"Sencha\" 緑茶", "accents, quotes and CJK")]
    [InlineData("</script><b>&amp;'\u2028", "markup, an entity and a line separator")]
    public async Task ItemsKeptAsJsonAnswerTheSameBytesAsItemsSerialisedAgain(string name, string what)
    {
        List<GoodsResponse> items =
        [
            new(1, "SKU-1", name, what, 1.50m, 3, "tea", At, At),
            new(2, "SKU-2", "Cups", "", 100_000m, 0, "", At, At.AddSeconds(1)),
        ];
        var page = PageRequest.From(new CollectionQuery(null, "2", null, null, null, null));
        var fields = FieldSet.Parse(null, GoodsJson.Wire.GoodsResponse);

        var fresh = await BodyAsync(new PagedResult<GoodsResponse>(items, 7, page, fields, GoodsJson.Wire.GoodsResponse));
        var kept = await BodyAsync(new PagedResult<GoodsResponse>(items, 7, page, fields, GoodsJson.Wire.GoodsResponse,
            PagedResult<GoodsResponse>.ItemsJson(items, GoodsJson.Wire.GoodsResponse)));

        Assert.Equal(fresh, kept);
        Assert.StartsWith("{\"items\":[{\"id\":1,", fresh, StringComparison.Ordinal);
        Assert.EndsWith("],\"total\":7,\"limit\":2,\"offset\":0}", fresh, StringComparison.Ordinal);
    }

    private static async Task<string> BodyAsync(IResult result)
    {
        var context = new DefaultHttpContext();
        context.Request.Path = "/api/v1/goods";
        using var body = new MemoryStream();
        context.Response.Body = body;
        await result.ExecuteAsync(context);
        await context.Response.BodyWriter.FlushAsync(TestContext.Current.CancellationToken);
        return Encoding.UTF8.GetString(body.ToArray());
    }
}
