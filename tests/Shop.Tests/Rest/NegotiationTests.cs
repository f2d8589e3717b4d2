using Microsoft.AspNetCore.Http;
using Shop.Rest;

namespace Shop.Tests.Rest;

/// <summary>Content negotiation as a pure function of the Accept header.</summary>
public sealed class NegotiationTests
{
    private static HttpRequest WithAccept(string? accept)
    {
        var context = new DefaultHttpContext();
        if (accept is not null)
        {
            context.Request.Headers.Accept = accept;
        }
        return context.Request;
    }

    [Theory]
    [InlineData(null, Representation.Json)]
    [InlineData("*/*", Representation.Json)]
    [InlineData("application/*", Representation.Json)]
    [InlineData("text/html, application/json;q=0.5", Representation.Json)]
    [InlineData("application/problem+json", Representation.Json)]
    [InlineData("text/csv", Representation.Csv)]
    [InlineData("text/csv, */*;q=0.1", Representation.Csv)]
    [InlineData("text/*", Representation.Csv)]
    [InlineData("text/csv;q=0.5, application/json", Representation.Json)]
    public void ACollectionAnswersTheBestAcceptableRepresentation(string? accept, Representation expected) =>
        Assert.Equal(expected, Negotiation.Choose(WithAccept(accept), csvOffered: true));

    [Theory]
    [InlineData("text/html")]
    [InlineData("application/xml")]
    [InlineData("text/csv;q=0, application/json;q=0")]
    [InlineData("application/json;q=0")]
    public void NothingAcceptableIs406(string accept) =>
        Assert.Equal(406, Assert.Throws<ApiProblem>(() => Negotiation.Choose(WithAccept(accept), csvOffered: true)).Status);

    [Fact]
    public void CsvIsNotChosenWhereItIsNotOffered() =>
        Assert.Equal(406, Assert.Throws<ApiProblem>(() => Negotiation.Choose(WithAccept("text/csv"), csvOffered: false)).Status);
}
