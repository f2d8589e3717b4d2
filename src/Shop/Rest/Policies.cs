namespace Shop.Rest;

/// <summary>The authorization policies, set once per route group.</summary>
public static class Policies
{
    /// <summary>Only users with the admin role.</summary>
    public const string Admin = "admin";

    /// <summary>Any authenticated user.</summary>
    public const string SignedIn = "signed-in";

    public const string AdminRole = "admin";
    public const string CustomerRole = "customer";

    /// <summary>The name of the caller for logs, or "anonymous".</summary>
    public static string NameOf(HttpContext context) =>
        context.User.Identity is { IsAuthenticated: true, Name: { Length: > 0 } name } ? name : "anonymous";
}
