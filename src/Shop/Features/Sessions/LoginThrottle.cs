using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Shop.Infrastructure.Auth;
using Shop.Infrastructure;
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
/// The attempts of one username take turns in this process (a lock per username, striped): each
/// counts the failures, checks its password and records the outcome before the next one starts.
/// Checking and recording without turns let concurrent guesses all pass the check while their
/// password hashes were computed, so more than five got through; counting an attempt as a failure
/// before its check (the previous fix) made simultaneous right passwords throttle each other.
/// Across processes the count and the record are separate statements, so two instances can each
/// let one more guess through at the same moment.
/// </remarks>
public sealed class LoginThrottle(ShopDb db, TimeProvider clock, ILogger<LoginThrottle> logger) : ILoginThrottle
{
    public const int MaxFailures = 5;
    public const int KeyMax = 128;
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(15);

    /// <summary>Turns per username: a fixed set of locks, so there is nothing to clean up.</summary>
    private static readonly SemaphoreSlim[] Turns = [.. Enumerable.Range(0, 64).Select(_ => new SemaphoreSlim(1, 1))];

    /// <summary>
    /// Waits for the username's turn and throws the 429 (with <c>Retry-After</c>) when it has its
    /// fill of failures. Dispose the result once <see cref="FailedAsync"/> or <see cref="SucceededAsync"/>
    /// has recorded the outcome.
    /// </summary>
    public async Task<IDisposable> BeginAttemptAsync(string username, CancellationToken cancellationToken)
    {
        var key = Key(username);
        var turn = await SemaphoreTurn.EnterAsync(Turns[(uint)StringComparer.Ordinal.GetHashCode(key) % (uint)Turns.Length], cancellationToken);
        try
        {
            var now = clock.GetUtcNow().UtcDateTime;
            // Failures that left the window count for nothing; dropping them keeps the table small.
            await db.Set<LoginFailure>().Where(f => f.NormalizedUsername == key && f.FailedAt <= now - Window).ExecuteDeleteAsync(cancellationToken);
            var recent = await RecentFailuresAsync(key, now, cancellationToken);
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
            return turn;
        }
        catch
        {
            turn.Dispose();
            throw;
        }
    }

    /// <summary>The password was wrong: records the failure, and logs the WARNING when it fills the window.</summary>
    public async Task FailedAsync(string username, CancellationToken cancellationToken)
    {
        var key = Key(username);
        var now = clock.GetUtcNow().UtcDateTime;
        db.Add(new LoginFailure { NormalizedUsername = key, FailedAt = now });
        await db.SaveChangesAsync(cancellationToken);
        if ((await RecentFailuresAsync(key, now, cancellationToken)).Count == MaxFailures)
        {
            logger.Warning("Logins for {Username} throttled after {Failures} failures within 15 minutes", key, MaxFailures);
        }
    }

    /// <summary>The password was right: the username's failures are cleared.</summary>
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
