using System.Net;

namespace Shop.Hosting;

/// <summary>
/// Every setting of the service, validated. Built by <see cref="SettingsLoader"/> from the config
/// file, <c>SHOP_*</c> environment variables and flags (later wins), or directly by tests.
/// </summary>
public sealed record ShopSettings
{
    public IReadOnlyList<string> Bind { get; init; } = ["127.0.0.1:5000"];
    public int Workers { get; init; } = 1;
    public string Database { get; init; } = "shop.db";

    /// <summary>The shared cache's Redis (<c>host:port</c> or <c>redis://…</c>), already checked; null = none.</summary>
    public string? Redis { get; init; }

    /// <summary>How long another instance's cached read may lag a write (<c>cache_lag_ms</c>, 0 to 50; see <see cref="Infrastructure.Cache.CacheOptions.Lag"/>).</summary>
    public TimeSpan CacheLag { get; init; } = TimeSpan.FromMilliseconds(20);

    public string? Pidfile { get; init; }
    public string? AccessLogfile { get; init; }
    public string? LogFile { get; init; }
    public string LogLevel { get; init; } = "info";

    /// <summary><c>text</c> (the foundation's line format) or <c>json</c> (one object per line, for log shippers).</summary>
    public string LogFormat { get; init; } = "text";

    /// <summary>An OpenTelemetry collector to export traces and metrics to; null = no export.</summary>
    public Uri? OtlpEndpoint { get; init; }

    /// <summary><c>grpc</c> (port 4317 by convention) or <c>http/protobuf</c> (port 4318).</summary>
    public string OtlpProtocol { get; init; } = "grpc";
    public IReadOnlyList<IPAddress> TrustedProxies { get; init; } = [IPAddress.Loopback, IPAddress.IPv6Loopback];
    public bool Daemon { get; init; }
    public bool Reload { get; init; }

    /// <summary>The name <c>ps</c> shows for the processes: <c>NAME: master</c>, <c>NAME: worker</c>.</summary>
    public string ProcName { get; init; } = "shop";

    /// <summary>A worker whose heartbeat is older than this is killed and replaced; zero = never.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a stopping process may finish its requests and claimed work before it is killed.</summary>
    public TimeSpan GracefulTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>A worker is replaced after this many requests (plus up to <see cref="MaxRequestsJitter"/>); zero = never.</summary>
    public int MaxRequests { get; init; }

    public int MaxRequestsJitter { get; init; }

    /// <summary>How long a session token from <c>POST /api/v1/sessions</c> stays valid.</summary>
    public TimeSpan SessionTtl { get; init; } = TimeSpan.FromHours(24);

    /// <summary>
    /// The key of the keyed hashes that session tokens and API keys are stored as. Kept outside the
    /// database, so a stolen database alone cannot be used to check guessed keys; empty uses a
    /// built-in development key (and says so in the log).
    /// </summary>
    public string? SecretKey { get; init; }

    /// <summary>
    /// Whether this instance runs the queue workers. False makes an accept-only instance: it answers
    /// 202 and stores the work, and instances with workers (sharing the database) process it.
    /// </summary>
    public bool QueueWorker { get; init; } = true;

    /// <summary>
    /// Whether <c>serve</c> runs a master with worker processes: for more than one worker, and for
    /// <c>reload</c>, whose rolling replacement needs someone to hold the sockets. One worker
    /// without reload is one process, as it always was.
    /// </summary>
    public bool UsesMaster => Workers > 1 || Reload;

    /// <summary>How long a stopping instance keeps serving while /readyz answers 503 (see <see cref="Draining"/>).</summary>
    public TimeSpan DrainDelay { get; init; } = TimeSpan.Zero;

    /// <summary>The Kestrel URLs for <see cref="Bind"/>.</summary>
    public IEnumerable<string> Urls => Bind.Select(b => $"http://{b}");
}
