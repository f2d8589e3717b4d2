using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;

namespace Shop.Infrastructure.Auth;

/// <summary>
/// ASP.NET Core authentication: one policy scheme in front of the credential schemes the modules
/// register (<see cref="AddCredentialScheme{THandler}"/>: the sessions module's bearer tokens, the
/// API keys module's <c>X-API-Key</c>), picking by the headers present, and the two authorization
/// policies the route groups name.
/// </summary>
public static class AuthServices
{
    public const string Scheme = "Shop";

    public static IServiceCollection AddShopAuth(this IServiceCollection services, SecretKeyOptions secretKey)
    {
        services.AddSingleton(secretKey).AddSingleton<Secrets>();
        services.AddAuthentication(Scheme).AddPolicyScheme(Scheme, "Bearer token or API key", _ => { });
        services.AddOptions<PolicySchemeOptions>(Scheme).Configure<IOptions<CredentialSchemes>>(
            (options, schemes) => options.ForwardDefaultSelector = context => schemes.Value.For(context.Request));
        services.AddAuthorizationBuilder()
            .AddPolicy(Policies.SignedIn, policy => policy.RequireAuthenticatedUser())
            .AddPolicy(Policies.Admin, policy => policy.RequireRole(Policies.AdminRole));
        return services;
    }

    /// <summary>
    /// Registers a module's credential scheme. <paramref name="sentIn"/> says whether a request
    /// carries this scheme's credential; the one scheme registered without it handles every request
    /// that carries none of the others (and so answers the challenge of an anonymous request).
    /// </summary>
    public static IServiceCollection AddCredentialScheme<THandler>(
        this IServiceCollection services, string name, Func<HttpRequest, bool>? sentIn = null)
        where THandler : CredentialHandler
    {
        services.AddAuthentication().AddScheme<AuthenticationSchemeOptions, THandler>(name, null);
        services.Configure<CredentialSchemes>(schemes => schemes.Add(name, sentIn));
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
