using Microsoft.AspNetCore.Http;
using Shop.Rest;

namespace Shop.Tests.Rest;

/// <summary>Page requests, sort and field lists and page links as pure functions, without a server.</summary>
public sealed class PagingTests
{
    private static CollectionQuery Query(string? page = null, string? perPage = null, string? limit = null, string? offset = null) =>
        new(page, perPage, limit, offset, null, null);

    [Theory]
    [InlineData(null, null, 20, 0)]
    [InlineData("3", "10", 10, 20)]
    [InlineData("1", "100", 100, 0)]
    public void PageAndPerPageGiveTheLimitAndOffset(string? page, string? perPage, int limit, int offset) =>
        Assert.Equal(new PageRequest(limit, offset, PagingStyle.Page), PageRequest.From(Query(page, perPage)));

    [Theory]
    [InlineData("5", "40", 5, 40)]
    [InlineData(null, "7", 20, 7)]
    public void LimitAndOffsetAreTakenAsTheyAre(string? limit, string? offset, int expectedLimit, int expectedOffset) =>
        Assert.Equal(new PageRequest(expectedLimit, expectedOffset, PagingStyle.Offset), PageRequest.From(Query(limit: limit, offset: offset)));

    [Theory]
    [InlineData("per_page", null, "101", null, null)]
    [InlineData("per_page", null, "0", null, null)]
    [InlineData("limit", null, null, "101", null)]
    [InlineData("page", "0", null, null, null)]
    [InlineData("page", "abc", null, null, null)]
    [InlineData("page", "1.5", null, null, null)]
    [InlineData("offset", null, null, null, "-1")]
    [InlineData("page", "99999999999999999999", null, null, null)]
    [InlineData("page", "2147483647", "100", null, null)]
    public void AnOutOfRangePagingValueIsA400NamingIt(string parameter, string? page, string? perPage, string? limit, string? offset)
    {
        var problem = Assert.Throws<ApiProblem>(() => PageRequest.From(Query(page, perPage, limit, offset)));
        Assert.Equal(400, problem.Status);
        Assert.Contains(parameter, problem.Errors!.Keys);
    }

    [Fact]
    public void MixingPagingStylesIsA400() =>
        Assert.Equal(400, Assert.Throws<ApiProblem>(() => PageRequest.From(Query(page: "1", limit: "5"))).Status);

    [Theory]
    [InlineData("")]
    [InlineData(",")]
    [InlineData("price,,id")]
    [InlineData("-")]
    [InlineData("id,")]
    public void AnEmptyListOrAnEmptyNameIsA400NamingTheParameter(string list) =>
        Assert.Contains("sort", Assert.Throws<ApiProblem>(() => FieldList.Split("sort", list)).Errors!.Keys);

    [Fact]
    public void AListIsSplitAtCommasAndTrimmed() =>
        Assert.Equal(["price", "-created_at"], FieldList.Split("sort", "price, -created_at"));

    private sealed record Row(long Id, decimal Price);

    [Theory]
    [InlineData("colour")]
    [InlineData("price,price")]
    [InlineData("price,-price")]
    public void AnUnknownOrRepeatedSortFieldIsA400(string sort)
    {
        var sorts = new SortMap<Row>(r => r.Id).Add("price", r => r.Price);
        Assert.Contains("sort", Assert.Throws<ApiProblem>(() => sorts.Apply(Array.Empty<Row>().AsQueryable(), sort)).Errors!.Keys);
    }

    [Fact]
    public void TiesAreBrokenByIdAndTheDefaultOrderIsId()
    {
        var rows = new[] { new Row(3, 1m), new Row(1, 2m), new Row(2, 1m) }.AsQueryable();
        var sorts = new SortMap<Row>(r => r.Id).Add("price", r => r.Price);
        Assert.Equal([1L, 2, 3], sorts.Apply(rows, null).Select(r => r.Id));
        Assert.Equal([2L, 3, 1], sorts.Apply(rows, "price").Select(r => r.Id));
        Assert.Equal([1L, 2, 3], sorts.Apply(rows, "-price").Select(r => r.Id));
    }

    private static HttpRequest Request(string query)
    {
        var context = new DefaultHttpContext();
        context.Request.Path = "/api/v1/goods";
        context.Request.QueryString = new QueryString(query);
        context.Request.Query = new QueryCollection(Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(query));
        return context.Request;
    }

    [Theory]
    // The first page of three: no prev.
    [InlineData("?page=1&per_page=2", 2, 0, 5,
        "</api/v1/goods?page=1&per_page=2>; rel=\"first\", </api/v1/goods?page=2&per_page=2>; rel=\"next\", </api/v1/goods?page=3&per_page=2>; rel=\"last\"")]
    // The last page: prev, no next.
    [InlineData("?page=3&per_page=2", 2, 4, 5,
        "</api/v1/goods?page=1&per_page=2>; rel=\"first\", </api/v1/goods?page=2&per_page=2>; rel=\"prev\", </api/v1/goods?page=3&per_page=2>; rel=\"last\"")]
    // Beyond the end, prev is the last page.
    [InlineData("?limit=2&offset=500", 2, 500, 5,
        "</api/v1/goods?limit=2&offset=0>; rel=\"first\", </api/v1/goods?limit=2&offset=4>; rel=\"prev\", </api/v1/goods?limit=2&offset=4>; rel=\"last\"")]
    // An empty collection has one page.
    [InlineData("", 20, 0, 0, "</api/v1/goods?page=1&per_page=20>; rel=\"first\", </api/v1/goods?page=1&per_page=20>; rel=\"last\"")]
    // Other parameters stay; paging ones are replaced whatever their case.
    [InlineData("?q=tea&PAGE=2&per_page=1", 1, 1, 3,
        "</api/v1/goods?q=tea&page=1&per_page=1>; rel=\"first\", </api/v1/goods?q=tea&page=1&per_page=1>; rel=\"prev\", "
        + "</api/v1/goods?q=tea&page=3&per_page=1>; rel=\"next\", </api/v1/goods?q=tea&page=3&per_page=1>; rel=\"last\"")]
    public void PageLinksAreInTheClientsStyle(string query, int limit, int offset, int total, string links)
    {
        var style = query.Contains("limit", StringComparison.Ordinal) ? PagingStyle.Offset : PagingStyle.Page;
        Assert.Equal(links, PageLinks.For(Request(query), new PageRequest(limit, offset, style), total));
    }
}
