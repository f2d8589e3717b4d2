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
    /// <summary>Policy of <c>POST /api/v1/sessions</c>: 30 at once, then one more every 2 s, per address.</summary>
    public const string Logins = "logins";

    /// <summary>Policy of <c>POST /api/v1/users</c>: 10 at once, then one more every 6 s, per address.</summary>
    public const string Registrations = "registrations";

    /// <summary>Password hashes at a time: half the cores (at least one), so the rest serve everything else.</summary>
    public static readonly int HashingAtOnce = Math.Max(1, Environment.ProcessorCount / 2);

    /// <summary>Requests that may wait for a hashing turn; beyond them the answer is 503 at once.</summary>
    public const int HashingQueue = 32;

    public static IServiceCollection AddCredentialRateLimits(this IServiceCollection services) =>
        services.AddRateLimiter(options =>
        {
            options.AddPolicy(Logins, context => PerAddress(context, Logins, tokens: 30, every: TimeSpan.FromSeconds(2)));
            options.AddPolicy(Registrations, context => PerAddress(context, Registrations, tokens: 10, every: TimeSpan.FromSeconds(6)));
            // The global limiter sees every request; only those of the two policies share the hashing bound.
            options.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
                context.GetEndpoint()?.Metadata.GetMetadata<EnableRateLimitingAttribute>()?.PolicyName is Logins or Registrations
                    ? RateLimitPartition.GetConcurrencyLimiter("password-hashing", _ => new ConcurrencyLimiterOptions
                    {
                        PermitLimit = HashingAtOnce,
                        QueueLimit = HashingQueue,
                        QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
                    })
                    : RateLimitPartition.GetNoLimiter(""));
            options.OnRejected = (rejected, _) => RejectAsync(rejected.HttpContext, rejected.Lease);
        });

    private static RateLimitPartition<string> PerAddress(HttpContext context, string policy, int tokens, TimeSpan every) =>
        RateLimitPartition.GetTokenBucketLimiter(policy + " " + context.Connection.RemoteIpAddress, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = tokens,
            TokensPerPeriod = 1,
            ReplenishmentPeriod = every,
            QueueLimit = 0,
            AutoReplenishment = true,
        });

    /// <summary>
    /// An address over its bucket gets the contract's 429 with the seconds until its next token; a
    /// full hashing queue is the service's limit, not the client's: 503, try again in a second.
    /// </summary>
    private static async ValueTask RejectAsync(HttpContext context, RateLimitLease lease)
    {
        ApiProblem problem;
        if (lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter))
        {
            problem = new ApiProblem(429, "Too many requests from this address; try again later");
            problem.Headers["Retry-After"] = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        }
        else
        {
            problem = new ApiProblem(503, "Too many logins and registrations at once; try again in a moment");
            problem.Headers["Retry-After"] = "1";
        }
        await Problems.WriteAsync(context, problem);
    }
}
