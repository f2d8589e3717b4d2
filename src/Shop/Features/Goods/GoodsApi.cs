using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Shop.Infrastructure.Cache;
using Shop.Infrastructure.Data;
using Shop.Infrastructure.Logging;
using Shop.Infrastructure.Metrics;
using Shop.Rest;

namespace Shop.Features.Goods;

/// <summary>The goods module (Flask's blueprint): <c>/api/v1/goods</c>. Reads are public, writes admin-only.</summary>
public static class GoodsApi
{
    private static readonly SortMap<Goods> Sorts = new SortMap<Goods>(g => g.Id)
        .Add("id", g => g.Id)
        .Add("name", g => g.Name)
        .Add("price", g => g.PriceCents)
        .Add("stock", g => g.Stock)
        .Add("created_at", g => g.CreatedAt);

    public static IServiceCollection AddGoods(this IServiceCollection services) =>
        services.AddJsonContext(GoodsJson.Default)
            .AddSingleton(s => new ReadCache<long, CachedGoods>("goods", s.GetRequiredService<DatabaseChanges>(), s.GetRequiredService<ShopMetrics>()));

    /// <summary>A goods as <c>GET /api/v1/goods/{id}</c> answers it, as the read cache keeps it.</summary>
    internal sealed record CachedGoods(GoodsResponse Body, string ETag);

    public static IEndpointRouteBuilder MapGoods(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapModule("/api/v1/goods", "Goods");
        group.MapGet("", ListGoods)
            .WithSummary("List goods (paged, filtered, sorted; JSON or CSV)")
            .ProducesCollection<GoodsResponse>();
        group.MapGet("/{id:long}", GetGoods).WithSummary("Get one goods")
            .Produces<GoodsResponse>(200).Produces(304).WithProblems(404, 406);

        var admin = group.MapGroup("").RequireAuthorization(Policies.Admin).WithWriteProblems();
        admin.MapPost("", CreateGoods).WithSummary("Create a goods")
            .Accepts<GoodsWrite>(JsonBody.Json).Produces<GoodsResponse>(201).WithProblems(409);
        admin.MapPut("/{id:long}", ReplaceGoods).WithSummary("Replace a goods")
            .Accepts<GoodsWrite>(JsonBody.Json).Produces<GoodsResponse>(200).WithProblems(404, 409, 412);
        admin.MapPatch("/{id:long}", PatchGoods).WithSummary("Change some fields of a goods (JSON merge patch)")
            .Accepts<GoodsWrite>(JsonBody.MergePatch, JsonBody.Json).Produces<GoodsResponse>(200).WithProblems(404, 409, 412);
        admin.MapDelete("/{id:long}", DeleteGoods).WithSummary("Delete a goods")
            .Produces(204).WithProblems(404, 412);
        return routes;
    }

    private static async Task<PagedResult<GoodsResponse>> ListGoods(
        [AsParameters] CollectionQuery query, [AsParameters] GoodsFilter filter, ShopDb db, CancellationToken cancellationToken)
    {
        var page = PageRequest.From(query);
        var fields = FieldSet.Parse(query.Fields, GoodsJson.Default.GoodsResponse);
        var goods = GoodsQueries.Filter(db.Set<Goods>(), filter);
        var sorted = Sorts.Apply(goods, query.Sort);
        var total = await goods.CountAsync(cancellationToken);
        var rows = await sorted.Skip(page.Offset).Take(page.Limit).ToListAsync(cancellationToken);
        return new PagedResult<GoodsResponse>(rows.ConvertAll(GoodsResponse.From), total, page, fields, GoodsJson.Default.GoodsResponse);
    }

    /// <summary>
    /// The hot read, through the in-process cache: while nothing was committed since the goods was
    /// loaded, it is answered without a database context; otherwise it is read afresh.
    /// </summary>
    private static async Task<Results<JsonHttpResult<GoodsResponse>, StatusCodeHttpResult>> GetGoods(
        long id, HttpContext context, ReadCache<long, CachedGoods> cache, CancellationToken cancellationToken)
    {
        var goods = await cache.GetOrLoadAsync(id, async token =>
            await GoodsQueries.ById(context.RequestServices.GetRequiredService<ShopDb>(), id, token) is { } found
                ? new CachedGoods(GoodsResponse.From(found), ETags.For(found.Id, found.Version))
                : null, cancellationToken) ?? throw NotFound(id);
        context.Response.Headers.ETag = goods.ETag;
        return ETags.NotModified(context.Request, goods.ETag)
            ? TypedResults.StatusCode(StatusCodes.Status304NotModified)
            : TypedResults.Json(goods.Body, GoodsJson.Default.GoodsResponse);
    }

    private static async Task<JsonHttpResult<GoodsResponse>> CreateGoods(
        HttpContext context, ShopDb db, TimeProvider clock, ILoggerFactory logs, CancellationToken cancellationToken)
    {
        var input = GoodsRules.Validate(await JsonBody.ReadAsync(context.Request, GoodsJson.Default.GoodsWrite, cancellationToken));
        var now = UtcTimestampConverter.Now(clock);
        var goods = new Goods { Sku = input.Sku, Name = input.Name, NameFolded = "", CreatedAt = now, UpdatedAt = now, Version = 1 };
        input.ApplyTo(goods);
        db.Add(goods);
        await SaveAsync(db, context, goods, cancellationToken);
        logs.CreateLogger(typeof(GoodsApi)).Info("Goods {GoodsId} ({Sku}) created by {User}", goods.Id, goods.Sku, Policies.NameOf(context));
        context.Response.Headers.Location = $"/api/v1/goods/{goods.Id}";
        return Written(context, goods, StatusCodes.Status201Created);
    }

    private static Task<JsonHttpResult<GoodsResponse>> ReplaceGoods(
        long id, HttpContext context, ShopDb db, TimeProvider clock, ILoggerFactory logs, CancellationToken cancellationToken) =>
        UpdateAsync(id, context, db, clock, logs, "replaced",
            _ => JsonBody.ReadAsync(context.Request, GoodsJson.Default.GoodsWrite, cancellationToken), cancellationToken);

    private static Task<JsonHttpResult<GoodsResponse>> PatchGoods(
        long id, HttpContext context, ShopDb db, TimeProvider clock, ILoggerFactory logs, CancellationToken cancellationToken) =>
        UpdateAsync(id, context, db, clock, logs, "changed",
            goods => JsonBody.ReadMergePatchAsync(context.Request, GoodsRules.ToWrite(goods), GoodsJson.Default.GoodsWrite, cancellationToken), cancellationToken);

    /// <summary>PUT and PATCH: 404, then the If-Match precondition, then the body, then the write.</summary>
    private static async Task<JsonHttpResult<GoodsResponse>> UpdateAsync(
        long id, HttpContext context, ShopDb db, TimeProvider clock, ILoggerFactory logs, string verb,
        Func<Goods, Task<GoodsWrite>> readBody, CancellationToken cancellationToken)
    {
        var goods = await FindForWriteAsync(db, context, id, cancellationToken);
        GoodsRules.Validate(await readBody(goods)).ApplyTo(goods);
        goods.UpdatedAt = UtcTimestampConverter.Now(clock);
        goods.Version++;
        await SaveAsync(db, context, goods, cancellationToken);
        logs.CreateLogger(typeof(GoodsApi)).Info("Goods {GoodsId} ({Sku}) {Change} by {User}", goods.Id, goods.Sku, verb, Policies.NameOf(context));
        return Written(context, goods, StatusCodes.Status200OK);
    }

    private static async Task<NoContent> DeleteGoods(
        long id, HttpContext context, ShopDb db, ILoggerFactory logs, CancellationToken cancellationToken)
    {
        var goods = await FindForWriteAsync(db, context, id, cancellationToken);
        db.Remove(goods);
        await SaveAsync(db, context, goods, cancellationToken);
        logs.CreateLogger(typeof(GoodsApi)).Info("Goods {GoodsId} ({Sku}) deleted by {User}", goods.Id, goods.Sku, Policies.NameOf(context));
        return TypedResults.NoContent();
    }

    private static async Task<Goods> FindForWriteAsync(ShopDb db, HttpContext context, long id, CancellationToken cancellationToken)
    {
        var goods = await db.Set<Goods>().AsTracking().FirstOrDefaultAsync(g => g.Id == id, cancellationToken) ?? throw NotFound(id);
        ETags.CheckIfMatch(context.Request, ETags.For(goods.Id, goods.Version));
        return goods;
    }

    private static async Task SaveAsync(ShopDb db, HttpContext context, Goods goods, CancellationToken cancellationToken)
    {
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            // Another writer got there between our read and our write.
            throw context.Request.Headers.IfMatch.Count > 0
                ? new ApiProblem(412, "The resource has changed since you read it (If-Match does not match its ETag)")
                : new ApiProblem(409, "The goods was changed by another request at the same time; read it again and retry");
        }
        catch (DbUpdateException ex) when (DataServices.IsUniqueViolation(ex))
        {
            throw new ApiProblem(409, $"A goods with sku '{goods.Sku}' already exists");
        }
    }

    private static JsonHttpResult<GoodsResponse> Written(HttpContext context, Goods goods, int status)
    {
        context.Response.Headers.ETag = ETags.For(goods.Id, goods.Version);
        return TypedResults.Json(GoodsResponse.From(goods), GoodsJson.Default.GoodsResponse, statusCode: status);
    }

    private static ApiProblem NotFound(long id) => ApiProblem.NotFound($"Goods {id} not found");
}
