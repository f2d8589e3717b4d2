using System.Reflection;
using Shop.Rest;

namespace Shop.Features.Index;

/// <summary>The index: <c>/</c> describes the service, <c>/api/v1</c> links to every collection.</summary>
public static class IndexApi
{
    /// <summary>Every collection under /api/v1; a module adds its own line here when it adds one.</summary>
    private static readonly Dictionary<string, string> Collections = new()
    {
        ["goods"] = "/api/v1/goods",
        ["users"] = "/api/v1/users",
        ["sessions"] = "/api/v1/sessions",
        ["api_keys"] = "/api/v1/api-keys",
        ["orders"] = "/api/v1/orders",
    };

    public static string Version { get; } =
        typeof(IndexApi).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    public static IServiceCollection AddIndex(this IServiceCollection services) => services.AddJsonContext(IndexJson.Default);

    public static IEndpointRouteBuilder MapIndex(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("").WithTags("Index").WithNegotiation();
        group.MapGet("/", () => TypedResults.Json(new ServiceIndex("shop", Version, "/api/v1", "/docs"), IndexJson.Default.ServiceIndex))
            .WithSummary("Service index");
        group.MapGet("/api/v1", () => TypedResults.Json(new ApiIndex(Collections), IndexJson.Default.ApiIndex))
            .WithSummary("Links to every collection");
        return routes;
    }
}
