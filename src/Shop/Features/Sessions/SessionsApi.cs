using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Shop.Features.Users;
using Shop.Infrastructure.Logging;
using Shop.Rest;

namespace Shop.Features.Sessions;

/// <summary>The login module's sessions: <c>/api/v1/sessions</c>. Logging in is open to anyone; logging out needs the session's token.</summary>
public static class SessionsApi
{
    public const string InvalidCredentials = "Invalid username or password";

    public static IServiceCollection AddSessions(this IServiceCollection services) =>
        services.AddJsonContext(SessionsJson.Default)
            .AddScoped<SessionStore>()
            .AddScoped<LoginThrottle>();

    public static IEndpointRouteBuilder MapSessions(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/v1/sessions").WithTags("Sessions").WithNegotiation();
        group.MapPost("", LogIn).WithSummary("Log in: a bearer token for the Authorization header")
            .Accepts<LoginRequest>(JsonBody.Json).Produces<SessionResponse>(201).WithProblems(400, 401, 413, 415, 429);

        var signedIn = group.MapGroup("").RequireAuthorization(Policies.SignedIn).WithProblems(401, 403);
        signedIn.MapDelete("/current", LogOut).WithSummary("Log out: the bearer token stops working").Produces(204);
        return routes;
    }

    private static async Task<JsonHttpResult<SessionResponse>> LogIn(
        HttpContext context, UserAccounts accounts, SessionStore sessions, LoginThrottle throttle, ILoggerFactory logs, CancellationToken cancellationToken)
    {
        var input = await JsonBody.ReadAsync(context.Request, SessionsJson.Default.LoginRequest, cancellationToken);
        var v = new Validation();
        v.Text("username", input.Username, 1, 1024, required: true);
        v.Text("password", input.Password, 1, 1024, required: true);
        v.ThrowIfInvalid();
        await throttle.CheckAsync(input.Username!, cancellationToken);
        var user = await accounts.CheckCredentialsAsync(input.Username!, input.Password!, cancellationToken);
        var log = logs.CreateLogger(typeof(SessionsApi));
        if (user is null)
        {
            await throttle.RecordFailureAsync(input.Username!, cancellationToken);
            log.Info("Failed login for {Username}", User.Normalize(input.Username!));
            throw new ApiProblem(StatusCodes.Status401Unauthorized, InvalidCredentials);
        }
        await throttle.ResetAsync(user.Username, cancellationToken);
        var session = await sessions.IssueAsync(user, cancellationToken);
        log.Info("User {UserId} ({Username}) logged in (session {SessionId})", user.Id, user.Username, session.Id);
        context.Response.Headers.Location = "/api/v1/sessions/current";
        return TypedResults.Json(new SessionResponse(session.Token, "Bearer", session.ExpiresAt, UserResponse.From(user)),
            SessionsJson.Default.SessionResponse, statusCode: StatusCodes.Status201Created);
    }

    private static async Task<NoContent> LogOut(ClaimsPrincipal caller, SessionStore sessions, ILoggerFactory logs, CancellationToken cancellationToken)
    {
        if (!await sessions.RevokeCurrentAsync(caller, cancellationToken))
        {
            throw new ApiProblem(StatusCodes.Status403Forbidden, "Only a session's bearer token can log out; delete an API key at /api/v1/api-keys/{id}");
        }
        logs.CreateLogger(typeof(SessionsApi)).Info("User {UserId} ({Username}) logged out", caller.GetUserId(), caller.Identity!.Name);
        return TypedResults.NoContent();
    }
}
