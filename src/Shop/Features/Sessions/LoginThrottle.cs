using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Shop.Infrastructure.Data;
using Shop.Infrastructure.Logging;
using Shop.Rest;

namespace Shop.Features.Sessions;

/// <summary>
/// After <see cref="MaxFailures"/> failed logins for one username (known or not) within
/// <see cref="Window"/>, every further attempt — even with the right password — is a 429 until the
/// oldest of those failures leaves the window. Counted in the database so that it holds across
/// restarts and instances.
/// </summary>
public sealed class LoginThrottle(ShopDb db, TimeProvider clock, ILogger<LoginThrottle> logger)
{
    public const int MaxFailures = 5;
    public const int KeyMax = 128;
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(15);

    /// <summary>Throws the 429 (with <c>Retry-After</c>) while the username is throttled.</summary>
    public async Task CheckAsync(string username, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var recent = await RecentFailuresAsync(Key(username), now, cancellationToken);
        if (recent.Count >= MaxFailures)
        {
            // Allowed again when so many failures have aged out that fewer than MaxFailures remain.
            var until = recent[recent.Count - MaxFailures] + Window;
            var seconds = Math.Max(1, (int)Math.Ceiling((until - now).TotalSeconds));
            throw new ApiProblem(429, "Too many failed logins for this username; try again later")
            {
                Headers = { ["Retry-After"] = seconds.ToString(CultureInfo.InvariantCulture) },
            };
        }
    }

    public async Task RecordFailureAsync(string username, CancellationToken cancellationToken)
    {
        var key = Key(username);
        var now = clock.GetUtcNow().UtcDateTime;
        // Failures that left the window count for nothing; dropping them keeps the table small.
        await db.Set<LoginFailure>().Where(f => f.NormalizedUsername == key && f.FailedAt <= now - Window).ExecuteDeleteAsync(cancellationToken);
        db.Add(new LoginFailure { NormalizedUsername = key, FailedAt = now });
        await db.SaveChangesAsync(cancellationToken);
        if ((await RecentFailuresAsync(key, now, cancellationToken)).Count == MaxFailures)
        {
            logger.Warning("Logins for {Username} throttled after {Failures} failures within 15 minutes", key, MaxFailures);
        }
    }

    /// <summary>A successful login clears the username's failures.</summary>
    public Task ResetAsync(string username, CancellationToken cancellationToken)
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
