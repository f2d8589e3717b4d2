using System.Globalization;
using System.Security.Claims;

namespace Shop.Infrastructure.Auth;

/// <summary>
/// The authorization policies, set once per route group, and the claims of a signed-in caller:
/// <see cref="ClaimTypes.NameIdentifier"/> = user id, <see cref="ClaimTypes.Name"/> = username,
/// <see cref="ClaimTypes.Role"/> = <see cref="AdminRole"/> or <see cref="CustomerRole"/>.
/// </summary>
public static class Policies
{
    /// <summary>Only users with the admin role.</summary>
    public const string Admin = "admin";

    /// <summary>Any authenticated user.</summary>
    public const string SignedIn = "signed-in";

    public const string AdminRole = "admin";
    public const string CustomerRole = "customer";

    /// <summary>The id of the session a bearer token belongs to; absent when the caller used an API key.</summary>
    public const string SessionIdClaim = "shop:session_id";

    /// <summary>The name of the caller for logs, or "anonymous".</summary>
    public static string NameOf(HttpContext context) =>
        context.User.Identity is { IsAuthenticated: true, Name: { Length: > 0 } name } ? name : "anonymous";

    /// <summary>The signed-in user's id. Only call it behind a policy: an anonymous caller has none.</summary>
    public static long GetUserId(this ClaimsPrincipal user) =>
        long.Parse(user.FindFirstValue(ClaimTypes.NameIdentifier)
            ?? throw new InvalidOperationException("The caller is not signed in; put the endpoint behind a policy"), CultureInfo.InvariantCulture);

    public static bool IsAdmin(this ClaimsPrincipal user) => user.IsInRole(AdminRole);

    /// <summary>The principal every authentication scheme builds for a user, so that all schemes agree on the claims.</summary>
    public static ClaimsPrincipal Principal(long userId, string username, string role, string scheme, params Claim[] extra) =>
        new(new ClaimsIdentity(
            [
                new Claim(ClaimTypes.NameIdentifier, userId.ToString(CultureInfo.InvariantCulture)),
                new Claim(ClaimTypes.Name, username),
                new Claim(ClaimTypes.Role, role),
                .. extra,
            ],
            scheme));
}
