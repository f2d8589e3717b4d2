using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Shop.Infrastructure.Auth;
using Shop.Infrastructure.Data;
using Shop.Rest;

namespace Shop.Features.ApiKeys;

/// <summary>The <c>X-API-Key</c> scheme: a key acts as its owner. Looked up on every request, so a deleted key fails at once.</summary>
public sealed class ApiKeyHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, ShopDb db, Secrets secrets)
    : CredentialHandler(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string Header = "X-API-Key";
    public const string InvalidKey = "Invalid API KEY";

    protected override string InvalidMessage => InvalidKey;

    /// <summary>Compiled once, like the session lookup: it runs on every request that carries a key.</summary>
    private static readonly Func<ShopDb, byte[], CancellationToken, Task<KeyOwner?>> FindOwner =
        CompiledPerContext.Of(() => EF.CompileAsyncQuery((ShopDb db, byte[] hash, CancellationToken _) => db.Set<ApiKey>().Where(k => k.KeyHash == hash)
            .Select(k => new KeyOwner(k.UserId, k.User!.Username, k.User.Role))
            .FirstOrDefault()));

    private sealed record KeyOwner(long UserId, string Username, string Role);

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var key = Request.Headers[Header].ToString().Trim();
        if (key.Length is 0 or > 256)
        {
            return Invalid();
        }
        var found = await FindOwner(db, secrets.Hash(key), Context.RequestAborted);
        return found is null ? Invalid() : Success(Policies.Principal(found.UserId, found.Username, found.Role, SchemeName));
    }
}
