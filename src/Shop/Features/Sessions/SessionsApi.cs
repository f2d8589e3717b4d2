using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Shop.Features.Users;
using Shop.Infrastructure.Auth;
using Shop.Infrastructure.Data;
using Shop.Infrastructure.Logging;
using Shop.Rest;

namespace Shop.Features.Sessions;

/// <summary>
/// The login module's sessions: <c>/api/v1/sessions</c>. Logging in is open to anyone; listing
/// one's own live sessions needs signing in, logging out the session's own token.
/// </summary>
public static class SessionsApi
{
    public const string InvalidCredentials = "Invalid username or password";

    private static readonly SortMap<Session> Sorts = new SortMap<Session>(s => s.Id)
        .Add("id", s => s.Id)
        .Add("created_at", s => s.CreatedAt)
        .Add("expires_at", s => s.ExpiresAt);

    public static IServiceCollection AddSessions(this IServiceCollection services) =>
        services.AddJsonContext(SessionsJson.Wire)
            .AddScoped<SessionStore>()
            .AddScoped<ISessionRevoker>(services => services.GetRequiredService<SessionStore>())
            .AddScoped<LoginThrottle>()
            .AddScoped<ILoginThrottle>(services => services.GetRequiredService<LoginThrottle>())
            .AddCredentialScheme<BearerTokenHandler>(BearerTokenHandler.SchemeName);

    public static IEndpointRouteBuilder MapSessions(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapModule("/api/v1/sessions", "Sessions");
        group.MapPost("", LogIn).AllowAnonymous().RequireCredentialRateLimit(CredentialRateLimit.Logins).WithSummary("Log in: a bearer token for the Authorization header")
            .Accepts<LoginRequest>(JsonBody.Json).Produces<SessionResponse>(201).WithProblems(400, 401, 413, 415, 429, 503);

        var signedIn = group.MapGroup("").RequireAuthorization(Policies.SignedIn).WithProblems(401, 403);
        signedIn.MapGet("", ListSessions).WithSummary("Your live sessions (no tokens)")
            .ProducesCollection<SessionInfo>();
        signedIn.MapGet("/current", GetCurrent).CalledBy("bearer token").WithSummary("The session of this bearer token (where a login's Location points)")
            .Produces<SessionInfo>(200).WithProblems(406);
        signedIn.MapDelete("/current", LogOut).CalledBy("bearer token").WithSummary("Log out: the bearer token stops working").Produces(204);
        return routes;
    }

    private static async Task<JsonHttpResult<SessionResponse>> LogIn(
        HttpContext context, [AsParameters] SessionServices services, UserAccounts accounts, LoginThrottle throttle, CancellationToken cancellationToken)
    {
        var input = await JsonBody.ReadAsync(context.Request, SessionsJson.Wire.LoginRequest, cancellationToken);
        var v = new Validation();
        v.Text("username", input.Username, 1, 1024, required: true);
        v.Text("password", input.Password, 1, 1024, required: true);
        v.ThrowIfInvalid();
        await using var turn = await throttle.BeginAttemptAsync(input.Username!, cancellationToken);
        var user = await accounts.CheckCredentialsAsync(input.Username!, input.Password!, cancellationToken);
        var log = services.Logs.CreateLogger(typeof(SessionsApi));
        if (user is null)
        {
            await throttle.FailedAsync(input.Username!, cancellationToken);
            log.Info("Failed login for {Username}", User.Normalize(input.Username!));
            throw new ApiProblem(StatusCodes.Status401Unauthorized, InvalidCredentials);
        }
        await throttle.SucceededAsync(user.Username, cancellationToken);
        var session = await services.Sessions.IssueAsync(user, cancellationToken);
        log.Info("User {UserId} ({Username}) logged in (session {SessionId})", user.Id, user.Username, session.Id);
        context.Response.Headers.Location = "/api/v1/sessions/current";
        return TypedResults.Json(new SessionResponse(session.Token, "Bearer", session.ExpiresAt, UserResponse.From(user)),
            SessionsJson.Wire.SessionResponse, statusCode: StatusCodes.Status201Created);
    }

    private static Task<PagedResult<SessionInfo>> ListSessions(
        [AsParameters] CollectionQuery query, ClaimsPrincipal caller, ShopDb db, TimeProvider clock, CancellationToken cancellationToken)
    {
        var (userId, current, now) = (caller.GetUserId(), SessionStore.SessionId(caller), clock.GetUtcNow().UtcDateTime);
        return CollectionPage.ReadAsync(() => db.Set<Session>().Where(s => s.UserId == userId && s.ExpiresAt > now), query, Sorts,
            (page, token) => page.Select(s => new SessionInfo(s.Id, s.CreatedAt, s.ExpiresAt, s.Id == current)).ToListAsync(token),
            SessionsJson.Wire.SessionInfo, cancellationToken);
    }

    private static async Task<JsonHttpResult<SessionInfo>> GetCurrent(ClaimsPrincipal caller, ShopDb db, CancellationToken cancellationToken)
    {
        var id = SessionStore.SessionId(caller) ?? throw NoSession("has a current session");
        var session = await db.Set<Session>().Where(s => s.Id == id)
            .Select(s => new SessionInfo(s.Id, s.CreatedAt, s.ExpiresAt, true)).FirstOrDefaultAsync(cancellationToken);
        // Revoked between authentication and this read: the token no longer names a session.
        return TypedResults.Json(session ?? throw ApiProblem.NotFound("Session not found"), SessionsJson.Wire.SessionInfo);
    }

    /// <summary>An API key has no session: 403, pointing to where keys are managed.</summary>
    private static ApiProblem NoSession(string what) => new(StatusCodes.Status403Forbidden,
        $"Only a session's bearer token {what}; delete an API key at /api/v1/api-keys/{{id}}");

    private static async Task<NoContent> LogOut(ClaimsPrincipal caller, [AsParameters] SessionServices services, CancellationToken cancellationToken)
    {
        if (!await services.Sessions.RevokeCurrentAsync(caller, cancellationToken))
        {
            throw NoSession("can log out");
        }
        services.Logs.CreateLogger(typeof(SessionsApi)).Info("User {UserId} ({Username}) logged out", caller.GetUserId(), caller.Identity!.Name);
        return TypedResults.NoContent();
    }
}
