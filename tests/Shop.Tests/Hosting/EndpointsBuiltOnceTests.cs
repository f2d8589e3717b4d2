using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Shop.Hosting;

namespace Shop.Tests.Hosting;

public sealed class EndpointsBuiltOnceTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task EveryReaderOfTheRoutesGetsTheSameBuiltEndpoints()
    {
        await using var shop = await ShopApp.StartAsync();
        var mapped = ((IEndpointRouteBuilder)shop.App).DataSources.SelectMany(source => source.Endpoints).ToList();
        var again = ((IEndpointRouteBuilder)shop.App).DataSources.SelectMany(source => source.Endpoints).ToList();
        var container = shop.App.Services.GetRequiredService<EndpointDataSource>().Endpoints;

        Assert.NotEmpty(mapped);
        Assert.Equal(mapped, again, ReferenceEqualityComparer.Instance);
        Assert.Equal(mapped, container, ReferenceEqualityComparer.Instance);
        // The router answers from that list too.
        Assert.Equal(HttpStatusCode.OK, (await shop.Client.GetAsync("/healthz", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await shop.Client.GetAsync("/api/v1/goods", Ct)).StatusCode);
    }

    [Fact]
    public async Task BuildingInTheBackgroundBuildsEveryRoute()
    {
        await using var shop = await ShopApp.StartAsync();

        var count = await EndpointsBuiltOnce.BuildInBackground(shop.App);

        Assert.Equal(shop.App.Services.GetRequiredService<EndpointDataSource>().Endpoints.Count, count);
    }
}
