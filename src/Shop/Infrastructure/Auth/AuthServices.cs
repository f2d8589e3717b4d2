using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;
using Shop.Features.ApiKeys;
using Shop.Features.Sessions;
using Shop.Rest;

namespace Shop.Infrastructure.Auth;

/// <summary>
/// ASP.NET Core authentication with two schemes — <c>Authorization: Bearer</c> session tokens and
/// <c>X-API-Key</c> — behind one policy scheme that picks by the headers present, and the two
/// authorization policies the route groups name.
/// </summary>
public static class AuthServices
{
    public const string Scheme = "Shop";

    public static IServiceCollection AddShopAuth(this IServiceCollection services)
    {
        services.AddSingleton<Secrets>();
        services.AddAuthentication(Scheme)
            .AddPolicyScheme(Scheme, "Bearer token or API key", options => options.ForwardDefaultSelector = context =>
                context.Request.Headers.ContainsKey(ApiKeyHandler.Header) ? ApiKeyHandler.SchemeName : BearerTokenHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, BearerTokenHandler>(BearerTokenHandler.SchemeName, null)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyHandler>(ApiKeyHandler.SchemeName, null);
        services.AddAuthorizationBuilder()
            .AddPolicy(Policies.SignedIn, policy => policy.RequireAuthenticatedUser())
            .AddPolicy(Policies.Admin, policy => policy.RequireRole(Policies.AdminRole));
        return services;
    }

    /// <summary>
    /// Authentication for every request, and the contract's rule that a credential that is sent
    /// but is bad — an unknown, revoked or expired token, an unknown key — is a 401 wherever it is
    /// sent, as in Django REST Framework: a client learns at once that its credential is dead,
    /// instead of silently reading the public catalogue as anonymous. The two ways in (log in,
    /// register) are marked AllowAnonymous and stay open, so a client holding a stale header can
    /// still get a new token.
    /// </summary>
    public static IApplicationBuilder UseShopAuthentication(this IApplicationBuilder app)
    {
        app.UseAuthentication();
        return app.Use(async (context, next) =>
        {
            // Only for a route that matched: a 404, 405 or 415 answers the request's shape first.
            // The handlers keep their result for the request, so this repeats no lookup.
            if (context.GetEndpoint() is RouteEndpoint endpoint && endpoint.Metadata.GetMetadata<IAllowAnonymous>() is null
                && (await context.AuthenticateAsync()).Failure is not null)
            {
                await context.ChallengeAsync();
                return;
            }
            await next(context);
        });
    }
}

/// <summary>
/// What both schemes share: the contract's 401 bodies (the scheme's own message for a bad
/// credential, <c>Authentication required</c> for none, always with <c>WWW-Authenticate</c>) and 403.
/// </summary>
public abstract class CredentialHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string Required = "Authentication required";

    /// <summary>The 401 message for a credential of this scheme that is present but not valid.</summary>
    protected abstract string InvalidMessage { get; }

    protected AuthenticateResult Invalid() => AuthenticateResult.Fail(InvalidMessage);

    protected AuthenticateResult Success(System.Security.Claims.ClaimsPrincipal principal) =>
        AuthenticateResult.Success(new AuthenticationTicket(principal, Scheme.Name));

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var result = await HandleAuthenticateOnceSafeAsync();
        var invalid = result.Failure?.Message == InvalidMessage;
        Response.Headers.WWWAuthenticate = invalid && Scheme.Name == BearerTokenHandler.SchemeName ? "Bearer error=\"invalid_token\"" : "Bearer";
        await Problems.WriteAsync(Context, StatusCodes.Status401Unauthorized, invalid ? InvalidMessage : Required);
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        Problems.WriteAsync(Context, StatusCodes.Status403Forbidden, Problems.DefaultError(StatusCodes.Status403Forbidden));
}
