using Shop.Hosting.Processes;
using Shop.Infrastructure.Auth;
using Shop.Infrastructure.Cache;
using Shop.Infrastructure.Data;
using Shop.Infrastructure.Logging;
using Shop.Infrastructure.Metrics;
using Shop.Infrastructure.Queue;

namespace Shop.Hosting;

/// <summary>
/// The part of the settings each piece of Infrastructure is told, as an options record of its own:
/// Infrastructure never sees <see cref="ShopSettings"/>, so it depends on nothing above it.
/// </summary>
public static class ShopSettingsOptions
{
    public static DatabaseOptions ToDatabaseOptions(this ShopSettings settings) => new(settings.Database);

    public static CacheOptions ToCacheOptions(this ShopSettings settings) => new(settings.Redis) { Lag = settings.CacheLag };

    public static LogOptions ToLogOptions(this ShopSettings settings) =>
        new(settings.LogFile, settings.AccessLogfile, settings.LogLevel, settings.LogFormat);

    public static MetricsOptions ToMetricsOptions(this ShopSettings settings) =>
        new(settings.OtlpEndpoint, settings.OtlpProtocol, WorkerEnvironment.Current?.MetricsFolder);

    public static SecretKeyOptions ToSecretKeyOptions(this ShopSettings settings) => new(settings.SecretKey);

    public static QueueWorkerOptions ToQueueWorkerOptions(this ShopSettings settings) => new(settings.QueueWorker);
}
