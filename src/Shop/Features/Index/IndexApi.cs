using System.Reflection;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Shop.Hosting;
using Shop.Infrastructure.Data;
using Shop.Infrastructure.Logging;
using Shop.Infrastructure.Metrics;
using Shop.Rest;

namespace Shop.Features.Index;

public sealed record ServiceIndex(string Name, string Version, string Api, string Docs);

public sealed record ApiIndex(IReadOnlyDictionary<string, string> Links);

public sealed record Health(string Status, IReadOnlyDictionary<string, string>? Checks = null);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(ServiceIndex))]
[JsonSerializable(typeof(ApiIndex))]
[JsonSerializable(typeof(Health))]
public sealed partial class IndexJson : JsonSerializerContext;

/// <summary>The index (<c>/</c>, <c>/api/v1</c>) and the operations probes (<c>/healthz</c>, <c>/readyz</c>).</summary>
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
        group.MapGet("/healthz", () => TypedResults.Json(new Health("ok"), IndexJson.Default.Health))
            .WithSummary("Liveness: 200 while the process serves").WithTags("Operations");
        group.MapGet("/readyz", Ready).WithSummary("Readiness: 200 when the database answers, else 503")
            .WithTags("Operations").WithProblems(503);
        return routes;
    }

    private static async Task<JsonHttpResult<Health>> Ready(
        ShopDb db, ILoggerFactory logs, ShopMetrics metrics, IHostApplicationLifetime lifetime, CancellationToken cancellationToken)
    {
        if (lifetime.IsDraining())
        {
            // Balancers stop choosing an instance that is stopping, while it still serves (Hosting/Draining.cs).
            throw new ApiProblem(503, "Not ready: shutting down");
        }
        string? problem = null;
        Exception? error = null;
        try
        {
            // CanConnectAsync answers false rather than throwing, so both ways down are caught here.
            problem = !await db.Database.CanConnectAsync(cancellationToken) ? "no connection can be opened"
                : await db.Database.SqlQueryRaw<int>("SELECT 1 AS \"Value\"").SingleAsync(cancellationToken) != 1 ? "SELECT 1 did not answer 1"
                : null;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            (problem, error) = (ex.Message, ex);
        }
        var databaseUp = problem is null;
        if (!databaseUp)
        {
            // An unreachable database needs a person now: this is what ERROR is for.
            logs.CreateLogger(typeof(IndexApi)).Error(error, "Database unreachable: {Reason}", problem);
        }
        metrics.ReadinessChecked(databaseUp);
        if (!databaseUp)
        {
            throw new ApiProblem(503, "Not ready: database is down");
        }
        return TypedResults.Json(new Health("ok", new Dictionary<string, string> { ["database"] = "ok" }), IndexJson.Default.Health);
    }
}
