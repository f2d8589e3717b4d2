using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Shop.Infrastructure.Cache;

/// <summary>
/// Readiness names Redis when it is configured and away. The service still answers then (from memory
/// and the database), but an instance without its shared cache is one a load balancer should know of.
/// </summary>
public sealed class RedisHealthCheck(RedisConnection redis) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(redis.IsConnected
            ? HealthCheckResult.Healthy()
            : new HealthCheckResult(context.Registration.FailureStatus, $"Redis at {redis.Address} is unreachable"));
}
