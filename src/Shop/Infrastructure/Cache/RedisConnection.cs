using Shop.Infrastructure.Logging;
using Shop.Infrastructure.Metrics;
using StackExchange.Redis;

namespace Shop.Infrastructure.Cache;

/// <summary>
/// The process's one connection to the configured Redis, shared by the caches' L2 and their
/// backplane, and what the service says about it: one WARNING when Redis goes, one INFO when it is
/// back (never a line per request), <c>shop_redis_up</c>, and <see cref="IsConnected"/> for
/// readiness. The client reconnects by itself; while it is away every command fails at once.
/// </summary>
public sealed class RedisConnection : IDisposable
{
    private readonly ShopMetrics _metrics;
    private readonly ILogger<RedisConnection> _logger;
    private readonly ConnectionMultiplexer _multiplexer;
    private int _up = -1;

    public RedisConnection(RedisAddress address, ShopMetrics metrics, ILogger<RedisConnection> logger)
    {
        (Address, _metrics, _logger) = (address, metrics, logger);
        // Does not throw when Redis is down (AbortOnConnectFail is off): the service starts anyway.
        _multiplexer = ConnectionMultiplexer.Connect(address.ToOptions());
        _multiplexer.ConnectionFailed += (_, _) => Update();
        _multiplexer.ConnectionRestored += (_, _) => Update();
        Update();
    }

    public RedisAddress Address { get; }

    public IConnectionMultiplexer Multiplexer => _multiplexer;

    public bool IsConnected => _multiplexer.IsConnected;

    private void Update()
    {
        var up = _multiplexer.IsConnected ? 1 : 0;
        var was = Interlocked.Exchange(ref _up, up);
        if (was == up)
        {
            return;
        }
        _metrics.RedisConnected(up == 1);
        if (up == 0)
        {
            _logger.Warning("Redis at {Redis} is unreachable: the caches go on in memory, checked against the database, until it is back", Address.ToString());
        }
        else if (was == 0)
        {
            _logger.Info("Redis at {Redis} is back", Address.ToString());
        }
    }

    public void Dispose() => _multiplexer.Dispose();
}
