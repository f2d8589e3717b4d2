using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using OpenTelemetry.Exporter;
using Scalar.AspNetCore;
using Shop.Hosting;
using Shop.Infrastructure.Data;
using Shop.Rest;

namespace Shop.Features.Operations;

/// <summary>
/// What operators and their tools call: <c>/healthz</c> (liveness), <c>/readyz</c> (readiness, on
/// ASP.NET Core's health checks), <c>/metrics</c>, <c>/openapi/v1.json</c> and <c>/docs</c>.
/// </summary>
public static class OperationsApi
{
    public static IServiceCollection AddOperations(this IServiceCollection services)
    {
        services.AddJsonContext(OperationsJson.Default);
        services.AddSingleton<Readiness>();
        services.AddSingleton<StorageFailures>();
        // Before the general problem handler (handlers are asked in registration order), which answers every exception.
        services.Insert(0, ServiceDescriptor.Singleton<Microsoft.AspNetCore.Diagnostics.IExceptionHandler, StorageProblemHandler>());
        services.AddSingleton<IHealthCheckPublisher, ReadinessPublisher>();
        services.Configure<HealthCheckPublisherOptions>(options => options.Predicate = Readiness.IsReadinessCheck);
        services.AddHealthChecks()
            // "SELECT 1" rather than only opening a connection: SQLite opens any file, even one that is not a database.
            .AddDbContextCheck<ShopDb>("database", tags: [Readiness.Tag], customTestQuery: SelectOneAsync)
            .AddCheck<DatabaseWritableCheck>("database_writable", tags: [Readiness.Tag]);
        return services;
    }

    /// <summary>
    /// A plain command rather than a LINQ query: the first <c>/readyz</c> comes right after start,
    /// and compiling EF's query pipeline for it put a tenth of a second between start and ready.
    /// </summary>
    private static async Task<bool> SelectOneAsync(ShopDb db, CancellationToken cancellationToken)
    {
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            await using var command = db.Database.GetDbConnection().CreateCommand();
            command.CommandText = "SELECT 1";
            return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture) == 1;
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    public static IEndpointRouteBuilder MapOperations(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("").WithTags("Operations").WithNegotiation();
        group.MapGet("/healthz", () => TypedResults.Json(new Health("ok"), OperationsJson.Default.Health))
            .WithSummary("Liveness: 200 while the process serves");
        group.MapGet("/readyz", Ready).WithSummary("Readiness: 200 when the database answers and takes writes, else 503 naming what is down")
            .WithProblems(503);
        MapMetrics(app);
        MapDocs(app);
        return app;
    }

    private static async Task<IResult> Ready(Readiness readiness, IHostApplicationLifetime lifetime, CancellationToken cancellationToken)
    {
        if (lifetime.IsDraining())
        {
            // Balancers stop choosing an instance that is stopping, while it still serves (Hosting/Draining.cs).
            // Not a check: a planned stop is neither an ERROR nor shop_ready 0.
            throw new ApiProblem(503, "Not ready: shutting down");
        }
        var report = await readiness.CheckAsync(cancellationToken);
        if (report.Status != HealthStatus.Healthy)
        {
            throw new ApiProblem(503, "Not ready: " + Readiness.Problem(report));
        }
        var checks = report.Entries.ToDictionary(e => e.Key, _ => "ok");
        return TypedResults.Json(new Health("ok", checks), OperationsJson.Default.Health);
    }

    /// <summary><c>GET /metrics</c>: the Prometheus (or, when asked for, OpenMetrics) text.</summary>
    private static void MapMetrics(IEndpointRouteBuilder app)
    {
        // The exporter comes as middleware; running it as the handler of a GET endpoint gives the
        // contract's 405 for other methods, a line in `shop routes` and an entry in the OpenAPI document.
        var branch = app.CreateApplicationBuilder();
        branch.UseOpenTelemetryPrometheusScrapingEndpoint(meterProvider: null, predicate: _ => true, path: null, configureBranchedPipeline: null, optionsName: null);
        var scrape = branch.Build();
        // Under a master each worker's counters are merged, so any worker answers for the whole service.
        var snapshots = app.ServiceProvider.GetService<Infrastructure.Metrics.MetricsSnapshots>();
        if (snapshots is not null)
        {
            snapshots.Scrape = scrape;
            snapshots.Services = app.ServiceProvider;
        }
        app.MapGet("/metrics", (HttpContext context, CancellationToken cancellationToken) =>
                snapshots is null ? scrape(context) : snapshots.WriteMergedAsync(context, cancellationToken))
            .WithTags("Operations")
            .WithSummary("Prometheus metrics")
            .WithDescription("Requests by route template, method and status with durations; cache hits and misses; queue depth; job outcomes; orders by status; log events by level.")
            .Produces<string>(StatusCodes.Status200OK, "text/plain");
    }

    /// <summary><c>/openapi/v1.json</c> and the interactive reference at <c>/docs</c>.</summary>
    private static void MapDocs(IEndpointRouteBuilder app)
    {
        // One document, at one fixed path: any other /openapi/... is an ordinary 404 with the problem body.
        app.MapOpenApi("/openapi/v1.json").ExcludeFromDescription();
        // The bearer scheme comes pre-selected in the page, so a person pastes a token and tries calls.
        // Everything the page needs comes from this service (the script is bundled in the Scalar package):
        // no web fonts from Scalar's CDN and no telemetry, so /docs works on a closed network.
        app.MapScalarApiReference("/docs", options => options.WithTitle("Shop API").AddPreferredSecuritySchemes(OpenApiSetup.BearerScheme)
                .ExpandAllTags().DisableDefaultFonts().DisableTelemetry())
            .ExcludeFromDescription();
    }
}
