using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Shop.Infrastructure.Auth;
using Shop.Infrastructure.Logging;
using Shop.Infrastructure.Data;
using Shop.Rest;

namespace Shop.Features.Users;

/// <summary>The users module: <c>/api/v1/users</c>. Anyone registers; the rest needs signing in, listing and deleting the admin role.</summary>
public static class UsersApi
{
    private static readonly SortMap<User> Sorts = new SortMap<User>(u => u.Id)
        .Add("id", u => u.Id)
        .Add("username", u => u.NormalizedUsername)
        .Add("created_at", u => u.CreatedAt);

    public static IServiceCollection AddUsers(this IServiceCollection services) =>
        services.AddJsonContext(UsersJson.Wire)
            .AddSingleton<IPasswordHasher<User>, PasswordHasher<User>>()
            .AddScoped<UserAccounts>();

    public static IEndpointRouteBuilder MapUsers(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapModule("/api/v1/users", "Users");
        group.MapPost("", Register).AllowAnonymous().RequireCredentialRateLimit(CredentialRateLimit.Registrations).WithSummary("Register a customer account")
            .Accepts<UserRegistration>(JsonBody.Json).Produces<UserResponse>(201).WithProblems(400, 409, 413, 415, 429, 503);

        var signedIn = group.MapGroup("").RequireAuthorization(Policies.SignedIn).WithProblems(401);
        signedIn.MapGet("/me", Me).WithSummary("The signed-in user").Produces<UserResponse>(200);
        signedIn.MapGet("/{id:long}", GetUser).CalledBy("self, admin").WithSummary("One user (yourself, or anyone for an admin)")
            .Produces<UserResponse>(200).WithProblems(404);
        signedIn.MapPatch("/{id:long}", ChangeUser).CalledBy("self").WithSummary("Change your e-mail or password (current_password required)")
            .Accepts<UserChange>(JsonBody.MergePatch, JsonBody.Json).Produces<UserResponse>(200).WithWriteProblems().WithProblems(404, 429);

        var admin = group.MapGroup("").RequireAuthorization(Policies.Admin).WithProblems(401, 403);
        admin.MapGet("", ListUsers).WithSummary("List users (paged, sorted)")
            .ProducesCollection<UserResponse>();
        admin.MapDelete("/{id:long}", DeleteUser).WithSummary("Delete a user with their sessions and API keys")
            .Produces(204).WithProblems(404, 409);
        return routes;
    }

    private static async Task<JsonHttpResult<UserResponse>> Register(HttpContext context, [AsParameters] UserServices services, CancellationToken cancellationToken)
    {
        // Checked while reading, so a member of the wrong type is reported with the other fields' errors.
        var input = await JsonBody.ReadValidAsync(context.Request, UsersJson.Wire.UserRegistration,
            r => { UserAccounts.Validate(r.Username, r.Password, r.Email); return r; }, cancellationToken);
        var user = await services.Accounts.CreateAsync(input.Username, input.Password, input.Email, Policies.CustomerRole, cancellationToken);
        context.Response.Headers.Location = $"/api/v1/users/{user.Id}";
        return Json(user, StatusCodes.Status201Created);
    }

    private static async Task<JsonHttpResult<UserResponse>> Me(ClaimsPrincipal caller, ShopDb db, CancellationToken cancellationToken) =>
        Json(await FindAsync(db, caller.GetUserId(), cancellationToken));

    private static async Task<JsonHttpResult<UserResponse>> GetUser(long id, ClaimsPrincipal caller, ShopDb db, CancellationToken cancellationToken)
    {
        // Another customer's account does not exist as far as a customer can tell.
        if (id != caller.GetUserId() && !caller.IsAdmin())
        {
            throw NotFound(id);
        }
        return Json(await FindAsync(db, id, cancellationToken));
    }

    private static Task<PagedResult<UserResponse>> ListUsers([AsParameters] CollectionQuery query, ShopDb db, CancellationToken cancellationToken) =>
        CollectionPage.ReadAsync(() => db.Set<User>(), query, Sorts, UserResponse.From, UsersJson.Wire.UserResponse, cancellationToken);

    private static async Task<JsonHttpResult<UserResponse>> ChangeUser(
        long id, HttpContext context, [AsParameters] UserServices services, ISessionRevoker sessions, ILoginThrottle throttle,
        CancellationToken cancellationToken)
    {
        var (db, accounts, caller) = (services.Db, services.Accounts, context.User);
        if (id != caller.GetUserId())
        {
            throw caller.IsAdmin() ? new ApiProblem(403, "An account can only be changed by its owner") : NotFound(id);
        }
        var user = await db.Set<User>().AsTracking().FirstOrDefaultAsync(u => u.Id == id, cancellationToken) ?? throw NotFound(id);
        var change = await JsonBody.ReadMergePatchAsync(
            context.Request, new UserChange(user.Email, null, null), UsersJson.Wire.UserChange, cancellationToken);
        var v = new Validation();
        UsersRules.Email(v, change.Email);
        UsersRules.Password(v, "password", change.Password, required: false);
        v.Text("current_password", change.CurrentPassword, 1, UsersRules.PasswordMax, required: true);
        v.ThrowIfInvalid();
        // Guessing current_password with a stolen session is guessing the password: it counts
        // towards the same throttle as logins.
        await using var turn = await throttle.BeginAttemptAsync(user.Username, cancellationToken);
        if (!await accounts.PasswordMatchesAsync(user, change.CurrentPassword!, cancellationToken))
        {
            await throttle.FailedAsync(user.Username, cancellationToken);
            throw ApiProblem.Validation("current_password", "is not the current password");
        }
        await throttle.SucceededAsync(user.Username, cancellationToken);
        user.Email = change.Email;
        if (change.Password is { } password)
        {
            accounts.SetPassword(user, password);
            // A new password ends every other session: whoever knew the old one is signed out.
            await sessions.RevokeOthersAsync(caller, cancellationToken);
        }
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            // An admin deleted the account while its owner was changing it: it is gone.
            throw NotFound(id);
        }
        services.Logs.CreateLogger(typeof(UsersApi)).Info("User {UserId} ({Username}) changed {What}",
            user.Id, user.Username, change.Password is null ? "e-mail" : "password");
        return Json(user);
    }

    private static async Task<NoContent> DeleteUser(long id, HttpContext context, [AsParameters] UserServices services, CancellationToken cancellationToken)
    {
        var db = services.Db;
        // Sessions and API keys go with the user (cascading foreign keys), so they stop working at once.
        // The last admin stays: without one, nobody could manage the shop until someone with shell
        // access ran `shop users create`. The count is part of the one DELETE statement, so two
        // admins deleting each other at the same moment cannot both succeed on SQLite; PostgreSQL's
        // statements see the rows as they were when each began, so there the admins are locked first.
        await using var admins = await RowLock.TakeWhereAsync(db, "users", "Role", Policies.AdminRole, cancellationToken);
        var deleted = await db.Set<User>()
            .Where(u => u.Id == id && (u.Role != Policies.AdminRole || db.Set<User>().Count(a => a.Role == Policies.AdminRole) > 1))
            .ExecuteDeleteAsync(cancellationToken);
        if (admins is not null)
        {
            await admins.CommitAsync(cancellationToken);
        }
        if (deleted == 0)
        {
            throw await db.Set<User>().AnyAsync(u => u.Id == id, cancellationToken)
                ? new ApiProblem(StatusCodes.Status409Conflict, "The last admin cannot be deleted; make another admin first")
                : NotFound(id);
        }
        services.Logs.CreateLogger(typeof(UsersApi)).Info("User {UserId} deleted by {User}", id, Policies.NameOf(context));
        return TypedResults.NoContent();
    }

    private static async Task<User> FindAsync(ShopDb db, long id, CancellationToken cancellationToken) =>
        await db.Set<User>().FirstOrDefaultAsync(u => u.Id == id, cancellationToken) ?? throw NotFound(id);

    private static JsonHttpResult<UserResponse> Json(User user, int status = StatusCodes.Status200OK) =>
        TypedResults.Json(UserResponse.From(user), UsersJson.Wire.UserResponse, statusCode: status);

    private static ApiProblem NotFound(long id) => ApiProblem.NotFound($"User {id} not found");
}
