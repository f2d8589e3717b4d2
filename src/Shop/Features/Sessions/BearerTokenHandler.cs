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

    /// <summary>RFC 6750: a token that was sent and refused is named <c>invalid_token</c>.</summary>
    protected override string Challenge(bool invalid) => invalid ? "Bearer error=\"invalid_token\"" : "Bearer";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers[HeaderNames.Authorization].ToString().Trim();
        // "Bearer" alone (the server strips the spaces of "Bearer ") is a bearer credential without
        // a token: a bad one, not an anonymous request. Other schemes (Basic …) are not ours.
        if (!header.StartsWith("Bearer", StringComparison.OrdinalIgnoreCase) || (header.Length > 6 && !char.IsWhiteSpace(header[6])))
        {
            return AuthenticateResult.NoResult();
        }
        var token = header[6..].Trim();
        // Resolved only here: the many anonymous requests that reach this scheme need no session store.
        var sessions = Context.RequestServices.GetRequiredService<SessionStore>();
        var principal = token.Length is > 0 and <= 256 ? await sessions.AuthenticateAsync(token, SchemeName, Context.RequestAborted) : null;
        return principal is null ? Invalid() : Success(principal);
    }
}
