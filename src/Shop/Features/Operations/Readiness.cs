using Microsoft.Extensions.Diagnostics.HealthChecks;
using Shop.Infrastructure.Logging;
using Shop.Infrastructure.Metrics;

namespace Shop.Features.Operations;

/// <summary>
/// Readiness is every health check tagged <see cref="Tag"/>: registering one more check with that tag
/// (Redis, a draining state) is all it takes to extend <c>/readyz</c>, <c>shop_ready</c> and the log.
/// A failing check is named in the 503 as <c>"&lt;name&gt; is down"</c>, or with the phrase it gives
/// through <see cref="Unready"/> (<c>"database is not writable"</c>, <c>"draining"</c>).
/// </summary>
public sealed class Readiness(HealthCheckService checks, ShopMetrics metrics, ILogger<Readiness> logger, TimeProvider clock)
{
    public const string Tag = "ready";

    /// <summary>While the same problem lasts, its ERROR is repeated at most this often.</summary>
    public static readonly TimeSpan ErrorInterval = TimeSpan.FromMinutes(1);

    private const string AnswerKey = "answer";

    private readonly Lock _lock = new();
    private string? _lastProblem;
    private DateTimeOffset _lastError;

    public static bool IsReadinessCheck(HealthCheckRegistration registration) => registration.Tags.Contains(Tag);

    /// <summary>A failed check whose 503 says <paramref name="answer"/> (for example "database is not writable").</summary>
    public static HealthCheckResult Unready(string answer, string? detail = null, Exception? exception = null) =>
        HealthCheckResult.Unhealthy(detail ?? answer, exception, new Dictionary<string, object> { [AnswerKey] = answer });

    /// <summary>Runs every readiness check now and records the outcome.</summary>
    public async Task<HealthReport> CheckAsync(CancellationToken cancellationToken)
    {
        var report = await checks.CheckHealthAsync(IsReadinessCheck, cancellationToken);
        Record(report);
        return report;
    }

    /// <summary>"database is down, redis is down": what each failed check says, for the 503 and the log.</summary>
    public static string Problem(HealthReport report) => string.Join(", ", report.Entries
        .Where(e => e.Value.Status != HealthStatus.Healthy)
        .Select(e => e.Value.Data.TryGetValue(AnswerKey, out var answer) ? (string)answer : $"{e.Key} is down"));

    /// <summary>Exports the outcome as <c>shop_ready</c>, and logs a problem as ERROR (once a minute while it lasts).</summary>
    public void Record(HealthReport report)
    {
        var ready = report.Status == HealthStatus.Healthy;
        metrics.ReadinessChecked(ready);
        var problem = ready ? null : Problem(report);
        lock (_lock)
        {
            var now = clock.GetUtcNow();
            if (problem is null)
            {
                if (_lastProblem is not null)
                {
                    logger.Info("Ready again after: {Problem}", _lastProblem);
                }
                _lastProblem = null;
                return;
            }
            if (problem == _lastProblem && now - _lastError < ErrorInterval)
            {
                return;
            }
            (_lastProblem, _lastError) = (problem, now);
        }
        // Something the service depends on is down: a person is needed now. The reasons are one line
        // each (no stack trace), so a problem that lasts does not flood the log.
        var reasons = string.Join("; ", report.Entries.Where(e => e.Value.Status != HealthStatus.Healthy)
            .Select(e => $"{e.Key}: {e.Value.Description ?? e.Value.Exception?.Message ?? "failed"}"));
        logger.Error(null, "Not ready: {Problem} ({Reasons})", problem, reasons);
    }
}
