using System.Diagnostics.Metrics;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Shop.Infrastructure.Metrics;

/// <summary>
/// Metrics and traces through OpenTelemetry: the service's own <see cref="ShopMetrics"/>, ASP.NET Core's
/// HTTP server metrics (<c>http_server_request_duration_seconds{http_route,http_request_method,
/// http_response_status_code}</c> — route templates, never raw paths), and the runtime's GC, thread pool,
/// CPU and memory metrics, served as Prometheus text at <c>GET /metrics</c> (mapped in Features/Operations) and, when
/// <c>otlp_endpoint</c> is set, pushed with request traces to an OpenTelemetry collector.
/// </summary>
/// <remarks>
/// On the request path this costs what ASP.NET Core already does when a listener is attached: one
/// histogram record per request into pre-aggregated buckets. The text is built only when scraped, and
/// every scrape collects afresh (no answer reuse), so it counts every request answered before it.
/// </remarks>
public static class MetricsSetup
{
    public const string ServiceName = "shop";

    public static IServiceCollection AddShopMetrics(this IServiceCollection services, MetricsOptions options)
    {
        services.AddSingleton<ShopMetrics>();
        if (options.SnapshotFolder is { } folder)
        {
            services.AddSingleton(new MetricsSnapshots(folder));
            services.AddHostedService(provider => provider.GetRequiredService<MetricsSnapshots>());
        }
        var telemetry = services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(ServiceName, serviceVersion: typeof(MetricsSetup).Assembly.GetName().Version?.ToString(3)))
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(ShopMetrics.MeterName)
                    .AddAspNetCoreInstrumentation()
                    .AddRuntimeInstrumentation()
                    // A counter update on every request that only repeats http_server_request_duration_seconds_count
                    // by route; dropped, the router skips it.
                    .AddView("aspnetcore.routing.match_attempts", MetricStreamConfiguration.Drop)
                    .AddPrometheusExporter(prometheus => prometheus.ScrapeResponseCacheDurationMilliseconds = 0);
                ((IDeferredMeterProviderBuilder)metrics).Configure((provider, builder) => builder.AddView(OnlyThisInstance(provider.GetRequiredService<IMeterFactory>())));
                if (options.OtlpEndpoint is not null)
                {
                    metrics.AddOtlpExporter(otlp => ConfigureOtlp(otlp, options, "v1/metrics"));
                }
            });
        if (options.OtlpEndpoint is not null)
        {
            // Traces exist only for export: without a collector nobody would read them.
            telemetry.WithTracing(tracing => tracing
                .AddAspNetCoreInstrumentation(options => options.EnrichWithHttpResponse =
                    (activity, response) => activity.SetTag("http.request.header.x_request_id", response.HttpContext.TraceIdentifier))
                .AddOtlpExporter(otlp => ConfigureOtlp(otlp, options, "v1/traces")));
        }
        return services;
    }

    /// <summary>
    /// OpenTelemetry subscribes to meters by name across the whole process, so a second service instance
    /// in the same process (as in the tests) would mix its counts into this one's. Meters made by another
    /// instance's <see cref="IMeterFactory"/> are dropped; process-wide meters (runtime) have no factory and stay.
    /// </summary>
    private static Func<Instrument, MetricStreamConfiguration?> OnlyThisInstance(IMeterFactory factory) =>
        instrument => instrument.Meter.Scope is null || ReferenceEquals(instrument.Meter.Scope, factory) ? null : MetricStreamConfiguration.Drop;

    /// <summary>gRPC takes the collector's address as it is; HTTP needs the path of each signal.</summary>
    private static void ConfigureOtlp(OtlpExporterOptions otlp, MetricsOptions options, string signalPath)
    {
        var endpoint = options.OtlpEndpoint!;
        otlp.Protocol = options.OtlpProtocol == "http/protobuf" ? OtlpExportProtocol.HttpProtobuf : OtlpExportProtocol.Grpc;
        otlp.Endpoint = otlp.Protocol == OtlpExportProtocol.HttpProtobuf
            ? new Uri(new Uri(endpoint.AbsoluteUri.TrimEnd('/') + "/"), signalPath)
            : endpoint;
    }
}
