using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Shop.Infrastructure;
using Shop.Infrastructure.Auth;
using Shop.Infrastructure.Data;
using Shop.Infrastructure.Logging;
using Shop.Rest;

namespace Shop.Features.Users;

/// <summary>
/// Accounts and their passwords, for the API, the login module and the command line alike.
/// Passwords are hashed with ASP.NET Core Identity's <see cref="PasswordHasher{TUser}"/>.
/// </summary>
public sealed class UserAccounts(ShopDb db, IPasswordHasher<User> hasher, TimeProvider clock, ILogger<UserAccounts> logger)
{
    // Checked against when the username is unknown, so that an unknown user costs the same hash as a
    // wrong password and response times do not tell which usernames exist.
    private static string? s_decoyHash;

    /// <summary>The rules of a new account: 400 naming every bad field.</summary>
    public static void Validate(string? username, string? password, string? email)
    {
        var v = new Validation();
        UsersRules.Username(v, username);
        UsersRules.Password(v, "password", password, required: true);
        UsersRules.Email(v, email);
        v.ThrowIfInvalid();
    }

    /// <summary>Validates and stores a new user; 400 for a bad field, 409 when the username is taken.</summary>
    public async Task<User> CreateAsync(string? username, string? password, string? email, string role, CancellationToken cancellationToken)
    {
        Validate(username, password, email);
        var user = new User
        {
            Username = username!,
            NormalizedUsername = User.Normalize(username!),
            Email = email,
            Role = role,
            PasswordHash = "",
            CreatedAt = clock.UtcNowToTheSecond(),
        };
        user.PasswordHash = hasher.HashPassword(user, password!);
        db.Add(user);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException ex) when (DataServices.IsUniqueViolation(ex))
        {
            db.Entry(user).State = EntityState.Detached;
            throw Taken(username!);
        }
        logger.Info("User {UserId} ({Username}) created with role {Role}", user.Id, user.Username, role);
        return user;
    }

    public static ApiProblem Taken(string username) => new(409, $"The username '{username}' is already taken");

    /// <summary>The user with these credentials, or null; the same work whether or not the user exists.</summary>
    public async Task<User?> CheckCredentialsAsync(string username, string password, CancellationToken cancellationToken)
    {
        var normalized = User.Normalize(username);
        var user = await db.Set<User>().AsTracking().FirstOrDefaultAsync(u => u.NormalizedUsername == normalized, cancellationToken);
        if (user is null)
        {
            var decoy = new User { Username = "", NormalizedUsername = "", Role = "", PasswordHash = "" };
            hasher.VerifyHashedPassword(decoy, s_decoyHash ??= hasher.HashPassword(decoy, Secrets.NewSecret()), password);
            return null;
        }
        return await PasswordMatchesAsync(user, password, cancellationToken) ? user : null;
    }

    /// <summary>Checks a tracked user's password, upgrading its hash when the format or parameters have moved on.</summary>
    public async Task<bool> PasswordMatchesAsync(User user, string password, CancellationToken cancellationToken)
    {
        switch (hasher.VerifyHashedPassword(user, user.PasswordHash, password))
        {
            case PasswordVerificationResult.SuccessRehashNeeded:
                SetPassword(user, password);
                await db.SaveChangesAsync(cancellationToken);
                return true;
            case PasswordVerificationResult.Success:
                return true;
            default:
                return false;
        }
    }

    public void SetPassword(User user, string password) => user.PasswordHash = hasher.HashPassword(user, password);
}
