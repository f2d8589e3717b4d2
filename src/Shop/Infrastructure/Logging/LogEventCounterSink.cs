using Serilog.Core;
using Serilog.Events;
using Shop.Infrastructure.Metrics;

namespace Shop.Infrastructure.Logging;

/// <summary>
/// Counts every event that passes the level and filters — exactly the lines that reach the log — into
/// <c>shop_log_events_total{level}</c>, so "ERRORs per minute" is one Prometheus query. It sits
/// beside the file sink, not behind the asynchronous queue, and costs one interlocked increment.
/// </summary>
public sealed class LogEventCounterSink(ShopMetrics metrics) : ILogEventSink
{
    public void Emit(LogEvent logEvent) => metrics.LogEventWritten(logEvent.Level);
}
