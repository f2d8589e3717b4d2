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
/// The attempts of one username take turns: each counts the failures, checks its password and
/// records the outcome before the next one starts. Checking and recording without turns let
/// concurrent guesses all pass the check while their password hashes were computed, so more than
/// five got through; counting an attempt as a failure before its check made simultaneous right
/// passwords throttle each other. In this process the turn is a lock per username (striped); across
/// instances and processes it is a row in <c>login_turns</c>, taken with one conditional upsert (the
/// same statement on SQLite and PostgreSQL) and held as a lease, so an instance that dies in the
/// middle of an attempt blocks the username for <see cref="TurnLease"/> at most.
/// </remarks>
public sealed class LoginThrottle(ShopDb db, TimeProvider clock, ILogger<LoginThrottle> logger) : ILoginThrottle
{
    public const int MaxFailures = 5;
    public const int KeyMax = 128;
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(15);

    /// <summary>How long a turn is kept for an attempt whose instance stopped answering; an attempt takes milliseconds.</summary>
    public static readonly TimeSpan TurnLease = TimeSpan.FromSeconds(10);

    /// <summary>Turns per username in this process: a fixed set of locks, so there is nothing to clean up.</summary>
    private static readonly SemaphoreSlim[] Turns = [.. Enumerable.Range(0, 64).Select(_ => new SemaphoreSlim(1, 1))];

    /// <summary>
    /// Waits for the username's turn and throws the 429 (with <c>Retry-After</c>) when it has its
    /// fill of failures. Dispose the result once <see cref="FailedAsync"/> or <see cref="SucceededAsync"/>
    /// has recorded the outcome.
    /// </summary>
    public async Task<IAsyncDisposable> BeginAttemptAsync(string username, CancellationToken cancellationToken)
    {
        var key = Key(username);
        var local = await SemaphoreTurn.EnterAsync(Turns[(uint)StringComparer.Ordinal.GetHashCode(key) % (uint)Turns.Length], cancellationToken);
        SharedTurn? turn = null;
        try
        {
            turn = await SharedTurn.TakeAsync(db, key, local, cancellationToken);
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
            await (turn?.DisposeAsync() ?? ValueTask.CompletedTask);
            local.Dispose();
            throw;
        }
    }

    /// <summary>The username's turn across instances: its row in <c>login_turns</c>, and this process's lock.</summary>
    private sealed class SharedTurn(ShopDb db, string key, string holder, IDisposable local) : IAsyncDisposable
    {
        public static async Task<SharedTurn> TakeAsync(ShopDb db, string key, IDisposable local, CancellationToken cancellationToken)
        {
            var holder = Guid.NewGuid().ToString("N");
            await db.Database.OpenConnectionAsync(cancellationToken);
            for (var pause = 1; ; pause = Math.Min(pause * 2, 50))
            {
                // Wall-clock time, not the service clock: a lease is about a process being alive.
                var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
                await using var take = Sql.Command(db, """
                    INSERT INTO login_turns (NormalizedUsername, Holder, LeaseUntil) VALUES (@key, @holder, @until)
                    ON CONFLICT (NormalizedUsername) DO UPDATE SET Holder = excluded.Holder, LeaseUntil = excluded.LeaseUntil
                    WHERE login_turns.LeaseUntil <= @now
                    """, ("@key", key), ("@holder", holder), ("@until", now + (long)TurnLease.TotalMilliseconds), ("@now", now));
                if (await take.ExecuteNonQueryAsync(cancellationToken) == 1)
                {
                    return new SharedTurn(db, key, holder, local);
                }
                // Another instance's attempt for this username is running: it takes milliseconds.
                await Task.Delay(pause, cancellationToken);
            }
        }

        public async ValueTask DisposeAsync()
        {
            try
            {
                await using var release = Sql.Command(db, "DELETE FROM login_turns WHERE NormalizedUsername = @key AND Holder = @holder",
                    ("@key", key), ("@holder", holder));
                await release.ExecuteNonQueryAsync(CancellationToken.None);
            }
            finally
            {
                local.Dispose();
            }
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
