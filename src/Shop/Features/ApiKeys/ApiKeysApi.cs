using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Shop.Infrastructure;
using Shop.Infrastructure.Auth;
using Shop.Infrastructure.Data;
using Shop.Infrastructure.Logging;
using Shop.Rest;

namespace Shop.Features.ApiKeys;

/// <summary>The login module's API keys: <c>/api/v1/api-keys</c>, each caller's own keys only.</summary>
public static class ApiKeysApi
{
    public const int NameMax = 100;

    // The visible start of every key: "shop_" marks what it is (and lets secret scanners find leaked
    // keys), the next characters tell one key from another.
    private const string KeyMarker = "shop_";
    private const int PrefixLength = 12;

    private static readonly SortMap<ApiKey> Sorts = new SortMap<ApiKey>(k => k.Id)
        .Add("id", k => k.Id)
        .Add("name", k => k.Name)
        .Add("created_at", k => k.CreatedAt);

    public static IServiceCollection AddApiKeys(this IServiceCollection services) =>
        services.AddJsonContext(ApiKeysJson.Wire)
            .AddCredentialScheme<ApiKeyHandler>(ApiKeyHandler.SchemeName, request => request.Headers.ContainsKey(ApiKeyHandler.Header));

    public static IEndpointRouteBuilder MapApiKeys(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapModule("/api/v1/api-keys", "API keys")
            .RequireAuthorization(Policies.SignedIn).WithProblems(401);
        group.MapPost("", CreateKey).WithSummary("Create an API key (the key is shown this once)")
            .Accepts<ApiKeyRequest>(JsonBody.Json).Produces<CreatedApiKey>(201).WithWriteProblems();
        group.MapGet("", ListKeys).WithSummary("List your API keys (no secrets)")
            .ProducesCollection<ApiKeyResponse>();
        group.MapDelete("/{id:long}", DeleteKey).CalledBy("owner").WithSummary("Delete one of your API keys: it stops working at once")
            .Produces(204).WithProblems(404);
        return routes;
    }

    private static async Task<JsonHttpResult<CreatedApiKey>> CreateKey(
        HttpContext context, [AsParameters] ApiKeyServices services, CancellationToken cancellationToken)
    {
        var (db, secrets, clock, logs) = services;
        var input = await JsonBody.ReadAsync(context.Request, ApiKeysJson.Wire.ApiKeyRequest, cancellationToken);
        var v = new Validation();
        v.Text("name", input.Name, 1, NameMax, required: true);
        v.ThrowIfInvalid();
        var secret = Secrets.NewSecret(KeyMarker);
        var key = new ApiKey
        {
            UserId = context.User.GetUserId(),
            Name = input.Name!,
            Prefix = secret[..PrefixLength],
            KeyHash = secrets.Hash(secret),
            CreatedAt = clock.UtcNowToTheSecond(),
        };
        db.Add(key);
        await db.SaveChangesAsync(cancellationToken);
        logs.CreateLogger(typeof(ApiKeysApi)).Info("API key {KeyId} ({Prefix}) created by {User}", key.Id, key.Prefix, Policies.NameOf(context));
        context.Response.Headers.Location = $"/api/v1/api-keys/{key.Id}";
        return TypedResults.Json(new CreatedApiKey(key.Id, key.Name, secret, key.Prefix, key.CreatedAt),
            ApiKeysJson.Wire.CreatedApiKey, statusCode: StatusCodes.Status201Created);
    }

    private static Task<PagedResult<ApiKeyResponse>> ListKeys(
        [AsParameters] CollectionQuery query, ClaimsPrincipal caller, ShopDb db, CancellationToken cancellationToken)
    {
        var userId = caller.GetUserId();
        return CollectionPage.ReadAsync(() => db.Set<ApiKey>().Where(k => k.UserId == userId), query, Sorts,
            ApiKeyResponse.From, ApiKeysJson.Wire.ApiKeyResponse, cancellationToken);
    }

    private static async Task<NoContent> DeleteKey(
        long id, HttpContext context, [AsParameters] ApiKeyServices services, CancellationToken cancellationToken)
    {
        var (db, logs) = (services.Db, services.Logs);
        var userId = context.User.GetUserId();
        // Another user's key answers 404 like a missing one: its existence is not the caller's business.
        if (await db.Set<ApiKey>().Where(k => k.Id == id && k.UserId == userId).ExecuteDeleteAsync(cancellationToken) == 0)
        {
            throw ApiProblem.NotFound($"API key {id} not found");
        }
        logs.CreateLogger(typeof(ApiKeysApi)).Info("API key {KeyId} deleted by {User}", id, Policies.NameOf(context));
        return TypedResults.NoContent();
    }
}
