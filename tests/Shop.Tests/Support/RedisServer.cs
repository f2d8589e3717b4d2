[assembly: AssemblyFixture(typeof(Shop.Tests.Support.RedisServerLifetime))]

namespace Shop.Tests.Support;

/// <summary>
/// A real <c>redis-server</c> on a free loopback port with its data in a temporary folder, stopped
/// after the test; skipped when Redis is not installed (failing under SHOP_REQUIRE_SERVICES=1).
/// The append-only file makes what was cached survive <see cref="StopAsync"/> and a new start, as a
/// production Redis's would: stale entries then come back, and the service must not use them.
/// </summary>
/// <remarks>
/// The tests on PostgreSQL share one server (<see cref="GetSharedAsync"/>): each database made by
/// <see cref="TestDatabase"/> gets a Redis database number of its own (<see cref="NextAddress"/>), so
/// the instances on one database share a Redis as in production and no test sees another's entries.
/// A test that stops Redis starts its own with <see cref="StartAsync"/>.
/// </remarks>
public sealed class RedisServer : IAsyncDisposable
{
    /// <summary>Redis database numbers the shared server has: one per test database of a whole run.</summary>
    private const int Databases = 10_000;

    // Without the append-only file: nobody restarts the shared server, and an fsync per cached entry would slow every test.
    private static readonly Lazy<Task<RedisServer>> Shared = new(() => StartAsync(persistent: false));
    private static int _lastDatabase;

    private readonly ExternalServer _server;
    private readonly bool _persistent;

    private RedisServer(ExternalServer server, bool persistent) => (_server, _persistent) = (server, persistent);

    /// <summary>The <c>redis</c> setting that reaches this server.</summary>
    public string Address => $"127.0.0.1:{_server.Port}";

    public static Task<RedisServer> StartAsync() => StartAsync(persistent: true);

    private static async Task<RedisServer> StartAsync(bool persistent)
    {
        var redis = new RedisServer(ExternalServer.Prepare("redis-server"), persistent);
        await redis.StartAgainAsync();
        return redis;
    }

    /// <summary>The server the tests on PostgreSQL share, started on the first call; never stopped by a test.</summary>
    public static Task<RedisServer> GetSharedAsync() => Shared.Value;

    /// <summary>The <c>redis</c> setting of a database number no one has used in this run.</summary>
    public string NextAddress()
    {
        var database = Interlocked.Increment(ref _lastDatabase);
        Assert.True(database < Databases, $"the test run used more than {Databases} Redis databases; raise RedisServer.Databases");
        return $"redis://{Address}/{database}";
    }

    internal static async ValueTask StopSharedAsync()
    {
        if (Shared.IsValueCreated && Shared.Value.IsCompletedSuccessfully)
        {
            await (await Shared.Value).DisposeAsync();
        }
    }

    /// <summary>Stops the server (SIGTERM: it writes its data and exits); the port stays reserved by nobody.</summary>
    public Task StopAsync() => _server.StopAsync();

    /// <summary>Starts it again on the same port with the same data.</summary>
    public Task StartAgainAsync() =>
        _server.StartAsync(
            ["--port", _server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--dir", _server.Folder,
             "--save", "", "--appendonly", _persistent ? "yes" : "no", "--appendfsync", "always",
             "--databases", Databases.ToString(System.Globalization.CultureInfo.InvariantCulture), "--logfile", _server.PathOf("redis.log")],
            logFile: _server.PathOf("redis.log"));

    public ValueTask DisposeAsync() => _server.DisposeAsync();
}

/// <summary>Stops the shared <see cref="RedisServer"/>, if a test started it, when the test run ends.</summary>
public sealed class RedisServerLifetime : IAsyncDisposable
{
    public ValueTask DisposeAsync() => RedisServer.StopSharedAsync();
}
