using Shop.Features.ApiKeys;
using Shop.Features.Goods;
using Shop.Features.Goods.Imports;
using Shop.Features.Jobs;
using Shop.Features.Orders;
using Shop.Features.Index;
using Shop.Features.Operations;
using Shop.Features.Sessions;
using Shop.Features.Users;
using Shop.Hosting;
using Shop.Infrastructure.Auth;
using Shop.Infrastructure.Cache;
using Shop.Infrastructure.Data;
using Shop.Infrastructure.Metrics;
using Shop.Rest;

namespace Shop;

/// <summary>
/// The table of contents. <see cref="Main"/> hands the command line to <see cref="ShopCli"/>;
/// <see cref="BuildApp"/> lists what the service is made of. Adding a module is one line in each list.
/// </summary>
public static class Program
{
    public static Task<int> Main(string[] args)
    {
        InlineServing.Configure();
        return ShopCli.RunAsync(args);
    }

    /// <param name="settings">The validated settings.</param>
    /// <param name="configure">Lets tests replace services (a fake clock) before the app is built.</param>
    public static WebApplication BuildApp(ShopSettings settings, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = ShopHost.CreateBuilder(settings);
        builder.Services
            .AddShopData(settings.ToDatabaseOptions())
            .AddRestJson()
            .AddRestErrors()
            .AddCredentialRateLimits()
            .AddShopAuth(settings.ToSecretKeyOptions())
            .AddShopOpenApi()
            .AddHeadRequests()
            .AddShopMetrics(settings.ToMetricsOptions())
            .AddShopCache(settings.ToCacheOptions())
            // Modules.
            .AddIndex()
            .AddOperations()
            .AddGoods()
            .AddGoodsImports()
            .AddJobs()
            .AddOrders()
            .AddUsers()
            .AddSessions()
            .AddApiKeys();

        configure?.Invoke(builder);
        var app = builder.Build();
        app.UseShopPipeline();
        // Every route lives in this one group, so that every GET route also answers HEAD.
        var routes = app.MapGroup("").WithHeadOnEveryGet();
        // Modules (Flask's register_blueprint).
        routes.MapIndex();
        routes.MapOperations();
        routes.MapGoods();
        routes.MapGoodsImports();
        routes.MapJobs();
        routes.MapOrders();
        routes.MapUsers();
        routes.MapSessions();
        routes.MapApiKeys();
        EndpointsBuiltOnce.Apply(app);
        return app;
    }
}
