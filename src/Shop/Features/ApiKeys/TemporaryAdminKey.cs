using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Shop.Hosting;
using Shop.Rest;

namespace Shop.Features.ApiKeys;

/// <summary>
/// TEMPORARY admin authentication until the login module (users, sessions, API keys) lands:
/// an <c>X-API-Key</c> equal to the <c>admin_api_key</c> setting acts as the user "admin".
/// The policies and the 401/403 answers are the contract's, so replacing this scheme changes
/// no endpoint.
/// </summary>
public sealed class TemporaryAdminKeyHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, ShopSettings settings)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "TemporaryAdminKey";
    public const string Header = "X-API-Key";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!Request.Headers.TryGetValue(Header, out var supplied))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }
        var expected = settings.AdminApiKey;
        if (expected is null || !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(supplied.ToString()), Encoding.UTF8.GetBytes(expected)))
        {
            return Task.FromResult(AuthenticateResult.Fail("Invalid API KEY"));
        }
        var identity = new ClaimsIdentity(
            [new Claim(ClaimTypes.Name, "admin"), new Claim(ClaimTypes.Role, Policies.AdminRole)], SchemeName);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var result = await HandleAuthenticateOnceSafeAsync();
        Response.Headers.WWWAuthenticate = "Bearer";
        await Problems.WriteAsync(Context, 401, result.Failure?.Message ?? "Authentication required");
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        Problems.WriteAsync(Context, 403, "You are not allowed to do this");
}

public static class AuthServices
{
    public static IServiceCollection AddShopAuth(this IServiceCollection services)
    {
        services.AddAuthentication(TemporaryAdminKeyHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, TemporaryAdminKeyHandler>(TemporaryAdminKeyHandler.SchemeName, null);
        services.AddAuthorizationBuilder()
            .AddPolicy(Policies.SignedIn, policy => policy.RequireAuthenticatedUser())
            .AddPolicy(Policies.Admin, policy => policy.RequireRole(Policies.AdminRole));
        return services;
    }
}
