using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Shop.Features.Operations;

/// <summary>
/// Runs the readiness checks in the background (every 30 s), so <c>shop_ready</c> and the ERROR line
/// follow the database even when no load balancer asks <c>/readyz</c>.
/// </summary>
public sealed class ReadinessPublisher(Readiness readiness) : IHealthCheckPublisher
{
    public Task PublishAsync(HealthReport report, CancellationToken cancellationToken)
    {
        readiness.Record(report);
        return Task.CompletedTask;
    }
}
