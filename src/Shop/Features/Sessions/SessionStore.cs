using System.Globalization;
using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Shop.Features.Users;
using Shop.Hosting;
using Shop.Infrastructure;
using Shop.Infrastructure.Auth;
using Shop.Infrastructure.Data;
using Shop.Rest;

namespace Shop.Features.Sessions;

/// <summary>Issues, finds and revokes sessions. Every check reads the database, so a revocation holds at once everywhere.</summary>
public sealed class SessionStore(ShopDb db, Secrets secrets, TimeProvider clock, ShopSettings settings) : ISessionRevoker
{
    /// <summary>A new session for the user, valid for the <c>session_ttl</c> setting.</summary>
    public async Task<IssuedSession> IssueAsync(User user, CancellationToken cancellationToken)
    {
        var token = Secrets.NewSecret();
        var now = clock.UtcNowToTheSecond();
        var session = new Session { UserId = user.Id, TokenHash = secrets.Hash(token), CreatedAt = now, ExpiresAt = now + settings.SessionTtl };
        // Expired sessions are useless; each login sweeps its user's, so the table does not grow for ever.
        await db.Set<Session>().Where(s => s.UserId == user.Id && s.ExpiresAt <= now).ExecuteDeleteAsync(cancellationToken);
        db.Add(session);
        await db.SaveChangesAsync(cancellationToken);
        return new IssuedSession(session.Id, token, session.ExpiresAt);
    }

    /// <summary>
    /// The session lookup behind every bearer request, compiled once: EF then skips translating
    /// the LINQ tree on each call, which was a tenth of the CPU of placing an order.
    /// </summary>
    private static readonly Func<ShopDb, byte[], DateTime, CancellationToken, Task<LiveSession?>> FindLive =
        CompiledPerContext.Of(() => EF.CompileAsyncQuery((ShopDb db, byte[] hash, DateTime now, CancellationToken _) => db.Set<Session>()
            .Where(s => s.TokenHash == hash && s.ExpiresAt > now)
            .Select(s => new LiveSession(s.Id, s.UserId, s.User!.Username, s.User.Role))
            .FirstOrDefault()));

    private sealed record LiveSession(long Id, long UserId, string Username, string Role);

    /// <summary>The principal of a live session with this token, or null when it is unknown, revoked or expired.</summary>
    public async Task<ClaimsPrincipal?> AuthenticateAsync(string token, string scheme, CancellationToken cancellationToken)
    {
        var found = await FindLive(db, secrets.Hash(token), clock.GetUtcNow().UtcDateTime, cancellationToken);
        return found is null ? null : Policies.Principal(found.UserId, found.Username, found.Role, scheme,
            new Claim(Policies.SessionIdClaim, found.Id.ToString(CultureInfo.InvariantCulture)));
    }

    /// <summary>Revokes the session the caller's bearer token belongs to; false when the caller used no session.</summary>
    public async Task<bool> RevokeCurrentAsync(ClaimsPrincipal caller, CancellationToken cancellationToken) =>
        SessionId(caller) is { } id && await db.Set<Session>().Where(s => s.Id == id).ExecuteDeleteAsync(cancellationToken) > 0;

    /// <summary>Revokes every session of the caller except the one making this request.</summary>
    public Task<int> RevokeOthersAsync(ClaimsPrincipal caller, CancellationToken cancellationToken)
    {
        var userId = caller.GetUserId();
        var current = SessionId(caller) ?? 0;
        return db.Set<Session>().Where(s => s.UserId == userId && s.Id != current).ExecuteDeleteAsync(cancellationToken);
    }

    /// <summary>The id of the session the caller's bearer token belongs to; null for an API key.</summary>
    public static long? SessionId(ClaimsPrincipal caller) =>
        long.TryParse(caller.FindFirstValue(Policies.SessionIdClaim), CultureInfo.InvariantCulture, out var id) ? id : null;
}
