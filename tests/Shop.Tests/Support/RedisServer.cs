namespace Shop.Tests.Support;

/// <summary>
/// A real <c>redis-server</c> on a free loopback port with its data in a temporary folder, stopped
/// after the test; skipped when Redis is not installed (failing under SHOP_REQUIRE_SERVICES=1).
/// The append-only file makes what was cached survive <see cref="StopAsync"/> and a new start, as a
/// production Redis's would: stale entries then come back, and the service must not use them.
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    private readonly ExternalServer _server;

    private RedisServer(ExternalServer server) => _server = server;

    /// <summary>The <c>redis</c> setting that reaches this server.</summary>
    public string Address => $"127.0.0.1:{_server.Port}";

    public static async Task<RedisServer> StartAsync()
    {
        var redis = new RedisServer(ExternalServer.Prepare("redis-server"));
        await redis.StartAgainAsync();
        return redis;
    }

    /// <summary>Stops the server (SIGTERM: it writes its data and exits); the port stays reserved by nobody.</summary>
    public Task StopAsync() => _server.StopAsync();

    /// <summary>Starts it again on the same port with the same data.</summary>
    public Task StartAgainAsync() =>
        _server.StartAsync(
            ["--port", _server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--dir", _server.Folder,
             "--save", "", "--appendonly", "yes", "--appendfsync", "always", "--logfile", _server.PathOf("redis.log")],
            logFile: _server.PathOf("redis.log"));

    public ValueTask DisposeAsync() => _server.DisposeAsync();
}
