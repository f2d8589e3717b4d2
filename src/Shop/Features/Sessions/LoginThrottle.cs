using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Shop.Infrastructure.Data;
using Shop.Infrastructure.Logging;
using Shop.Rest;

namespace Shop.Features.Sessions;

/// <summary>
/// After <see cref="MaxFailures"/> failed password checks for one username (known or not) within
/// <see cref="Window"/>, every further attempt — even with the right password — is a 429 until the
/// oldest of those failures leaves the window. Logins and the <c>current_password</c> of an account
/// change count alike. Counted in the database so that it holds across restarts and instances.
/// </summary>
/// <remarks>
/// An attempt is recorded as a failure BEFORE its password is checked, by one conditional INSERT
/// that refuses when the window is already full; a success then clears the failures. Checking the
/// count and recording the failure afterwards let concurrent guesses all pass the check while the
/// password hashes were computed, so more than five got through.
/// </remarks>
public sealed class LoginThrottle(ShopDb db, TimeProvider clock, ILogger<LoginThrottle> logger)
{
    public const int MaxFailures = 5;
    public const int KeyMax = 128;
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(15);

    /// <summary>
    /// Counts this attempt as a failure until <see cref="SucceededAsync"/> says otherwise; throws
    /// the 429 (with <c>Retry-After</c>) when the username already has its fill of failures.
    /// </summary>
    public async Task BeginAttemptAsync(string username, CancellationToken cancellationToken)
    {
        var key = Key(username);
        var now = clock.GetUtcNow().UtcDateTime;
        var since = now - Window;
        // Failures that left the window count for nothing; dropping them keeps the table small.
        await db.Set<LoginFailure>().Where(f => f.NormalizedUsername == key && f.FailedAt <= since).ExecuteDeleteAsync(cancellationToken);
        var recorded = await db.Database.ExecuteSqlAsync($"""
            INSERT INTO login_failures (NormalizedUsername, FailedAt)
            SELECT {key}, {now}
            WHERE (SELECT COUNT(*) FROM login_failures WHERE NormalizedUsername = {key} AND FailedAt > {since}) < {MaxFailures}
            """, cancellationToken);
        if (recorded == 0)
        {
            // Allowed again when so many failures have aged out that fewer than MaxFailures remain.
            // The list can be shorter than it was a moment ago (a right password in between cleared
            // it): then the caller may try again at once, in a second.
            var recent = await RecentFailuresAsync(key, now, cancellationToken);
            var until = recent.Count >= MaxFailures ? recent[recent.Count - MaxFailures] + Window : now;
            var seconds = Math.Max(1, (int)Math.Ceiling((until - now).TotalSeconds));
            throw new ApiProblem(429, "Too many failed logins for this username; try again later")
            {
                Headers = { ["Retry-After"] = seconds.ToString(CultureInfo.InvariantCulture) },
            };
        }
    }

    /// <summary>The password was wrong: the attempt stays counted. Logs the WARNING when it fills the window.</summary>
    public async Task FailedAsync(string username, CancellationToken cancellationToken)
    {
        var key = Key(username);
        if ((await RecentFailuresAsync(key, clock.GetUtcNow().UtcDateTime, cancellationToken)).Count == MaxFailures)
        {
            logger.Warning("Logins for {Username} throttled after {Failures} failures within 15 minutes", key, MaxFailures);
        }
    }

    /// <summary>The password was right: the username's failures, this attempt's included, are cleared.</summary>
    public Task SucceededAsync(string username, CancellationToken cancellationToken)
    {
        var key = Key(username);
        return db.Set<LoginFailure>().Where(f => f.NormalizedUsername == key).ExecuteDeleteAsync(cancellationToken);
    }

    private async Task<List<DateTime>> RecentFailuresAsync(string key, DateTime now, CancellationToken cancellationToken)
    {
        var since = now - Window;
        return await db.Set<LoginFailure>().Where(f => f.NormalizedUsername == key && f.FailedAt > since)
            .OrderBy(f => f.FailedAt).Select(f => f.FailedAt).ToListAsync(cancellationToken);
    }

    private static string Key(string username)
    {
        var normalized = Users.User.Normalize(username);
        return normalized.Length <= KeyMax ? normalized : normalized[..KeyMax];
    }
}
