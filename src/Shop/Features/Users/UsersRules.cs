using System.Text.RegularExpressions;
using Shop.Infrastructure.Auth;
using Shop.Rest;

namespace Shop.Features.Users;

/// <summary>The contract's rules for usernames, passwords and e-mail addresses, shared by the API and the command line.</summary>
public static partial class UsersRules
{
    public const int UsernameMin = 3;
    public const int UsernameMax = 32;
    public const int PasswordMin = 8;
    public const int PasswordMax = 128;
    public const int EmailMax = 254;

    public static readonly string[] Roles = [Policies.AdminRole, Policies.CustomerRole];

    public static void Username(Validation v, string? username) =>
        v.Text("username", username, UsernameMin, UsernameMax, required: true, UsernamePattern(), "must be 3 to 32 of a-z 0-9 _ . -");

    public static void Password(Validation v, string field, string? password, bool required) =>
        v.Text(field, password, PasswordMin, PasswordMax, required);

    public static void Email(Validation v, string? email) =>
        v.Text("email", email, 3, EmailMax, pattern: EmailPattern(), patternRule: "must be an e-mail address");

    // The contract's alphabet exactly: lower-case letters only. Logging in still folds case
    // (User.NormalizedUsername), so "ALICE" signs alice in.
    [GeneratedRegex(@"^[a-z0-9_.-]+\z")]
    private static partial Regex UsernamePattern();

    [GeneratedRegex(@"^[^@\s]+@[^@\s]+\z")]
    private static partial Regex EmailPattern();
}
