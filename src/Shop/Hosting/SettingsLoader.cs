using System.Collections;
using Microsoft.Extensions.Configuration;

namespace Shop.Hosting;

/// <summary>
/// Reads settings in the contract's order — config file, then <c>SHOP_*</c> environment variables,
/// then command-line flags; later wins — using Microsoft.Extensions.Configuration for the layering
/// and JSON files; any other file is read as gunicorn's config is (<see cref="ConfigFile"/>).
/// </summary>
public static class SettingsLoader
{
    public const string EnvironmentPrefix = "SHOP_";

    /// <summary>The names of every setting, as written in files, flags (with dashes) and variables (upper case).</summary>
    public static readonly string[] Names =
    [
        "bind", "workers", "database", "redis", "pidfile", "access_logfile", "log_file", "log_level",
        "log_format", "otlp_endpoint", "otlp_protocol", "trusted_proxies", "daemon", "reload", "session_ttl", "secret_key", "queue_worker",
        "proc_name", "timeout", "graceful_timeout", "max_requests", "max_requests_jitter",
        "drain_delay", "cache_lag_ms",
    ];

    public static ShopSettings Load(string? configFile, IDictionary environment, IReadOnlyDictionary<string, string?> flags)
    {
        var builder = new ConfigurationBuilder();
        if (configFile is not null)
        {
            var path = Path.GetFullPath(configFile);
            if (!File.Exists(path))
            {
                throw new SettingsException("config", $"file '{configFile}' does not exist");
            }
            IEnumerable<string> names;
            try
            {
                if (path.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
                {
                    var fromFile = new ConfigurationBuilder().AddJsonFile(path).Build();
                    names = fromFile.AsEnumerable().Select(p => p.Key);
                    builder.AddConfiguration(fromFile);
                }
                else
                {
                    var fromFile = ConfigFile.Read(path);
                    names = fromFile.Keys;
                    builder.AddInMemoryCollection(fromFile);
                }
            }
            catch (Exception ex) when (ex is FormatException or InvalidDataException or System.Text.Json.JsonException or IOException or UnauthorizedAccessException)
            {
                throw new SettingsException("config", $"'{configFile}' cannot be read: {ex.Message.Split('\n')[0]}");
            }
            var unknown = names.FirstOrDefault(k => !Names.Contains(k.ToLowerInvariant()));
            if (unknown is not null)
            {
                throw new SettingsException(unknown, $"is not a setting (known: {string.Join(", ", Names)}; gunicorn's {string.Join(", ", ConfigFile.Aliases.Keys)})");
            }
        }
        var fromEnvironment = environment.Cast<DictionaryEntry>()
            .Select(e => (Key: (string)e.Key, Value: e.Value as string))
            .Where(e => e.Key.StartsWith(EnvironmentPrefix, StringComparison.Ordinal)
                && Names.Contains(e.Key[EnvironmentPrefix.Length..].ToLowerInvariant()))
            .ToDictionary(e => e.Key[EnvironmentPrefix.Length..].ToLowerInvariant(), e => e.Value);
        builder.AddInMemoryCollection(fromEnvironment);
        builder.AddInMemoryCollection(flags.Where(f => f.Value is not null));
        return FromConfiguration(builder.Build());
    }

    private static ShopSettings FromConfiguration(IConfiguration c)
    {
        var settings = new ShopSettings();
        string? Get(string name) => c[name];
        return settings with
        {
            Bind = Get("bind") is { } bind ? SettingValues.Bind(bind) : settings.Bind,
            Workers = Get("workers") is { } workers ? SettingValues.Integer("workers", workers, 1, 64) : settings.Workers,
            Database = Get("database") is { } database ? SettingValues.Database(database) : settings.Database,
            Redis = Get("redis") is { } redis ? SettingValues.Redis(redis) : null,
            CacheLag = Get("cache_lag_ms") is { } lag ? TimeSpan.FromMilliseconds(SettingValues.Integer("cache_lag_ms", lag, 0, 50)) : settings.CacheLag,
            Pidfile = Get("pidfile") is { } pid ? SettingValues.LogTarget("pidfile", pid) : null,
            AccessLogfile = Get("access_logfile") is { } access ? SettingValues.LogTarget("access_logfile", access) : null,
            LogFile = Get("log_file") is { } log ? SettingValues.LogTarget("log_file", log) : null,
            LogLevel = Get("log_level") is { } level ? SettingValues.OneOf("log_level", level, "debug", "info", "warning", "error") : settings.LogLevel,
            LogFormat = Get("log_format") is { } format ? SettingValues.OneOf("log_format", format, "text", "json") : settings.LogFormat,
            OtlpEndpoint = Get("otlp_endpoint") is { Length: > 0 } otlp ? SettingValues.HttpUrl("otlp_endpoint", otlp) : null,
            OtlpProtocol = Get("otlp_protocol") is { } protocol ? SettingValues.OneOf("otlp_protocol", protocol, "grpc", "http/protobuf") : settings.OtlpProtocol,
            TrustedProxies = Get("trusted_proxies") is { } proxies ? SettingValues.Addresses("trusted_proxies", proxies) : settings.TrustedProxies,
            Daemon = Get("daemon") is { } daemon && SettingValues.Boolean("daemon", daemon),
            Reload = Get("reload") is { } reload && SettingValues.Boolean("reload", reload),
            SessionTtl = Get("session_ttl") is { } ttl
                ? SettingValues.Duration("session_ttl", ttl, TimeSpan.FromMinutes(1), TimeSpan.FromDays(365)) : settings.SessionTtl,
            SecretKey = Get("secret_key") is { Length: > 0 } secret ? secret : null,
            QueueWorker = Get("queue_worker") is not { } worker || SettingValues.Boolean("queue_worker", worker),
            ProcName = Get("proc_name") is { } procName ? SettingValues.ProcName(procName) : settings.ProcName,
            Timeout = Get("timeout") is { } timeout ? Seconds("timeout", timeout) : settings.Timeout,
            GracefulTimeout = Get("graceful_timeout") is { } graceful ? Seconds("graceful_timeout", graceful) : settings.GracefulTimeout,
            MaxRequests = Get("max_requests") is { } max ? SettingValues.Integer("max_requests", max, 0, int.MaxValue) : 0,
            MaxRequestsJitter = Get("max_requests_jitter") is { } jitter ? SettingValues.Integer("max_requests_jitter", jitter, 0, int.MaxValue) : 0,
            DrainDelay = Get("drain_delay") is { } drain ? SettingValues.Duration("drain_delay", drain, TimeSpan.Zero, TimeSpan.FromMinutes(5)) : settings.DrainDelay,
        };
    }

    /// <summary>Whole seconds as gunicorn writes its timeouts, 0 to a day.</summary>
    private static TimeSpan Seconds(string setting, string raw) => TimeSpan.FromSeconds(SettingValues.Integer(setting, raw, 0, 86_400));
}
