using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Shop.Rest;

namespace Shop.Infrastructure.Auth;

/// <summary>
/// What every credential scheme shares: the contract's 401 bodies (the scheme's own message for a bad
/// credential, <c>Authentication required</c> for none, always with <c>WWW-Authenticate</c>) and 403.
/// </summary>
public abstract class CredentialHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string Required = "Authentication required";

    /// <summary>The 401 message for a credential of this scheme that is present but not valid.</summary>
    protected abstract string InvalidMessage { get; }

    /// <summary>The <c>WWW-Authenticate</c> value of a 401; <paramref name="invalid"/> when a credential was sent and refused.</summary>
    protected virtual string Challenge(bool invalid) => "Bearer";

    protected AuthenticateResult Invalid() => AuthenticateResult.Fail(InvalidMessage);

    protected AuthenticateResult Success(System.Security.Claims.ClaimsPrincipal principal) =>
        AuthenticateResult.Success(new AuthenticationTicket(principal, Scheme.Name));

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var result = await HandleAuthenticateOnceSafeAsync();
        var invalid = result.Failure?.Message == InvalidMessage;
        Response.Headers.WWWAuthenticate = Challenge(invalid);
        await Problems.WriteAsync(Context, StatusCodes.Status401Unauthorized, invalid ? InvalidMessage : Required);
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        Problems.WriteAsync(Context, StatusCodes.Status403Forbidden, Problems.DefaultError(StatusCodes.Status403Forbidden));
}
