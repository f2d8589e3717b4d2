using Serilog;
using Serilog.Core;
using Serilog.Events;
using Serilog.Formatting;
using Shop.Infrastructure.Metrics;

namespace Shop.Infrastructure.Logging;

/// <summary>
/// The service log: one UTF-8 line per event,
/// <c>2026-11-23 19:14:14,123 - INFO - Shop.Features.Goods.GoodsApi - CreateGoods - 57 - message</c>,
/// written by Serilog through an asynchronous file sink so a request never waits for the disk.
/// Events logged during a request end with <c> [request_id=… trace_id=…]</c> (see <see cref="RequestLogEnricher"/>);
/// <c>log_format=json</c> writes the same fields as one JSON object per line (<see cref="JsonLogFormat"/>).
/// Every written event is also counted by level for <c>/metrics</c> (<see cref="LogEventCounterSink"/>).
/// </summary>
public static class LoggingSetup
{
    /// <summary>The text line; the exception follows on the same line (<see cref="OneLineTextFormatter"/>).</summary>
    public const string Template =
        "{Timestamp:yyyy-MM-dd HH:mm:ss,fff} - {LevelName} - {SourceContext} - {Member} - {Line} - {Message:lj}{RequestSuffix:l}";

    public static IServiceCollection AddShopLogging(this IServiceCollection services, LogOptions options)
    {
        // The logger belongs to this application instance (not Serilog's static Log), so several
        // instances in one process — as in the tests — keep their own files; disposing the
        // service provider flushes it.
        var files = new LogFiles();
        services.AddSingleton(files);
        services.AddHostedService<LogReopenSignal>();
        var requestDiagnostics = new LoggingLevelSwitch(Framework(ParseLevel(options.LogLevel)));
        services.AddHostedService(provider => new RequestDiagnosticsSwitch(requestDiagnostics, provider.GetRequiredService<IHostApplicationLifetime>()));
        services.AddSerilog((provider, configuration) => Configure(configuration, options, files)
            .MinimumLevel.Override(RequestDiagnosticsSwitch.Category, requestDiagnostics)
            .Enrich.With(new RequestLogEnricher())
            .WriteTo.Sink(new LogEventCounterSink(provider.GetRequiredService<ShopMetrics>())), preserveStaticLogger: true);
        var serilog = services.Last(service => service.ServiceType == typeof(ILoggerFactory));
        services.Remove(serilog);
        services.AddSingleton<ILoggerFactory>(provider => new CachingLoggerFactory((ILoggerFactory)serilog.ImplementationFactory!(provider)));
        services.AddSingleton(new AccessLog(options.AccessLogfile, files));
        return services;
    }

    public static LoggerConfiguration Configure(LoggerConfiguration configuration, LogOptions options, LogFiles files)
    {
        var level = ParseLevel(options.LogLevel);
        configuration
            .MinimumLevel.Is(level)
            // Framework chatter (a line per request, per query) is for debugging, not for operators:
            // it shows at log_level=debug, and from WARNING up otherwise.
            .MinimumLevel.Override("Microsoft", Framework(level))
            .MinimumLevel.Override("Microsoft.Hosting.Lifetime", level)
            .MinimumLevel.Override("System", Framework(level))
            // FusionCache traces every lookup at INFO (two lines per cached GET): libraries' chatter too.
            .MinimumLevel.Override("ZiggyCreatures", Framework(level))
            // Key-ring notices are irrelevant: no cookie or token here is protected by data protection.
            .MinimumLevel.Override("Microsoft.AspNetCore.DataProtection", LogEventLevel.Error)
            // The health-check service logs every failing check as ERROR each time it runs; readiness
            // logs what is down itself, once a minute while it lasts (Features/Operations/Readiness).
            .MinimumLevel.Override("Microsoft.Extensions.Diagnostics.HealthChecks", level <= LogEventLevel.Debug ? level : LogEventLevel.Fatal)
            // Authentication handlers announce every challenge at INFO; a 401 is not a business event.
            .Filter.ByExcluding(IsAuthenticationChatter)
            .Enrich.With<LevelNameEnricher>();
        ITextFormatter formatter = options.LogFormat == "json"
            ? JsonLogFormat.Create()
            : new OneLineTextFormatter(Template);
        // Every sink sits behind the async wrapper: a request never waits for a disk or a terminal.
        return configuration.WriteTo.Async(sink => _ = options.LogFile switch
        {
            null => sink.Console(formatter, standardErrorFromLevel: LogEventLevel.Verbose),
            "-" => sink.Console(formatter),
            // One process or a master and its workers: each appends whole lines to the same file,
            // reopened on SIGUSR1.
            var path => sink.Sink(files.Open(path, formatter)),
        });
    }

    public static LogEventLevel ParseLevel(string name) => name switch
    {
        "debug" => LogEventLevel.Debug,
        "warning" => LogEventLevel.Warning,
        "error" => LogEventLevel.Error,
        _ => LogEventLevel.Information,
    };

    private static bool IsAuthenticationChatter(LogEvent e) =>
        e.Level <= LogEventLevel.Information
        && e.Properties.TryGetValue("EventId", out var id) && id is StructureValue structure
        && structure.Properties.Any(p => p.Name == "Name" && p.Value is ScalarValue { Value: string name } && name.StartsWith("AuthenticationScheme", StringComparison.Ordinal));

    private static LogEventLevel Max(LogEventLevel a, LogEventLevel b) => a > b ? a : b;

    /// <summary>The framework's level: everything when debugging, otherwise only WARNING and up.</summary>
    private static LogEventLevel Framework(LogEventLevel level) =>
        level <= LogEventLevel.Debug ? level : Max(level, LogEventLevel.Warning);
}
