using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;

namespace Shop.Rest;

/// <summary>
/// Limits on the requests that hash a password (log in, register), with ASP.NET Core's rate limiter:
/// per client address (as <c>trusted_proxies</c> yields it: forwarded headers run first) a token bucket
/// a person never empties, and for the whole instance a bound on how many such requests run at once,
/// so a flood from many addresses cannot take every core from the other requests.
/// </summary>
public static class CredentialRateLimits
{
    /// <summary>Password hashes at a time: half the cores (at least one), so the rest serve everything else.</summary>
    public static readonly int HashingAtOnce = Math.Max(1, Environment.ProcessorCount / 2);

    /// <summary>Requests that may wait for a hashing turn; beyond them the answer is 503 at once.</summary>
    public const int HashingQueue = 32;

    private const string HashingKey = "password-hashing";

    /// <summary>
    /// Puts the endpoint under <paramref name="limit"/> (ASP.NET Core's rate limiter, decided as the
    /// request arrives) and then the shared hashing bound (a turn awaited before the handler runs).
    /// </summary>
    public static TBuilder RequireCredentialRateLimit<TBuilder>(this TBuilder builder, CredentialRateLimit limit)
        where TBuilder : IEndpointConventionBuilder => builder.RequireRateLimiting(limit.Name).AddEndpointFilter(async (context, next) =>
        {
            var hashing = context.HttpContext.RequestServices.GetRequiredKeyedService<RateLimiter>(HashingKey);
            using var turn = await hashing.AcquireAsync(1, context.HttpContext.RequestAborted);
            if (!turn.IsAcquired)
            {
                var problem = new ApiProblem(503, "Too many logins and registrations at once; try again in a moment");
                problem.Headers["Retry-After"] = "1";
                throw problem;
            }
            return await next(context);
        });

    public static IServiceCollection AddCredentialRateLimits(this IServiceCollection services)
    {
        // A separate limiter, not the middleware's global one: the middleware asks a global and an
        // endpoint limiter together and, when one must wait, gives back the other's lease and asks
        // again, which would take an address's token twice.
        services.AddKeyedSingleton<RateLimiter>(HashingKey, (_, _) => new ConcurrencyLimiter(new ConcurrencyLimiterOptions
        {
            PermitLimit = HashingAtOnce,
            QueueLimit = HashingQueue,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        }));
        return services.AddRateLimiter(options =>
        {
            foreach (var limit in new[] { CredentialRateLimit.Logins, CredentialRateLimit.Registrations })
            {
                options.AddPolicy(limit.Name, context => RateLimitPartition.GetTokenBucketLimiter(limit.Name + " " + context.Connection.RemoteIpAddress,
                    _ => new TokenBucketRateLimiterOptions
                    {
                        TokenLimit = limit.Tokens,
                        TokensPerPeriod = 1,
                        ReplenishmentPeriod = limit.Every,
                        QueueLimit = 0,
                        AutoReplenishment = true,
                    }));
            }
            options.OnRejected = (rejected, _) => RejectAsync(rejected.HttpContext, rejected.Lease);
        });
    }

    /// <summary>An address over its bucket gets the contract's 429 with the seconds until its next token.</summary>
    private static async ValueTask RejectAsync(HttpContext context, RateLimitLease lease)
    {
        var problem = new ApiProblem(429, "Too many requests from this address; try again later");
        var retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(1);
        problem.Headers["Retry-After"] = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        await Problems.WriteAsync(context, problem);
    }
}
