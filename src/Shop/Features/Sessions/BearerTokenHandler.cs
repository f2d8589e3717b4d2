using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using Shop.Infrastructure.Auth;

namespace Shop.Features.Sessions;

/// <summary>The <c>Authorization: Bearer &lt;token&gt;</c> scheme: a live session token acts as its user.</summary>
public sealed class BearerTokenHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : CredentialHandler(options, logger, encoder)
{
    public const string SchemeName = "Bearer";
    public const string InvalidToken = "Invalid or expired token";

    protected override string InvalidMessage => InvalidToken;

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers[HeaderNames.Authorization].ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return AuthenticateResult.NoResult();
        }
        var token = header["Bearer ".Length..].Trim();
        // Resolved only here: the many anonymous requests that reach this scheme need no session store.
        var sessions = Context.RequestServices.GetRequiredService<SessionStore>();
        var principal = token.Length is > 0 and <= 256 ? await sessions.AuthenticateAsync(token, SchemeName, Context.RequestAborted) : null;
        return principal is null ? Invalid() : Success(principal);
    }
}
