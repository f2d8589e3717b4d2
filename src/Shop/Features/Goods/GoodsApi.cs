using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Shop.Infrastructure;
using Shop.Infrastructure.Auth;
using Shop.Infrastructure.Data;
using Shop.Infrastructure.Logging;
using Shop.Infrastructure.Metrics;
using Shop.Rest;

namespace Shop.Features.Goods;

/// <summary>The goods module (Flask's blueprint): <c>/api/v1/goods</c>. Reads are public, writes admin-only.</summary>
public static class GoodsApi
{
    private static readonly SortMap<GoodsItem> Sorts = new SortMap<GoodsItem>(g => g.Id)
        .Add("id", g => g.Id)
        .Add("name", g => g.Name)
        .Add("price", g => g.PriceCents)
        .Add("stock", g => g.Stock)
        .Add("created_at", g => g.CreatedAt);

    public static IServiceCollection AddGoods(this IServiceCollection services) =>
        services.AddJsonContext(GoodsJson.Wire)
            .AddSingleton<GoodsChangeLog>()
            .AddSingleton<GoodsCache>()
            .AddSingleton<GoodsCounts>()
            .AddHostedService(s => s.GetRequiredService<GoodsCache>());

    public static IEndpointRouteBuilder MapGoods(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapModule("/api/v1/goods", "Goods");
        group.MapGet("", ListGoods)
            .WithSummary("List goods (paged, filtered, sorted; JSON or CSV)")
            .ProducesCollection<GoodsResponse>()
            .AnsweredFromMemory(context => routes.ServiceProvider.GetRequiredService<GoodsCache>().FindPageInMemoryAsync(
                AnswerUrl(context.Request), context.RequestAborted), byQuery: true);
        group.MapGet("/{id:long}", GetGoods).WithSummary("Get one goods")
            .Produces<GoodsResponse>(200).Produces(304).WithProblems(404, 406)
            .AnsweredFromMemory(context => routes.ServiceProvider.GetRequiredService<GoodsCache>().FindInMemoryAsync(
                long.Parse((string)context.Request.RouteValues["id"]!, CultureInfo.InvariantCulture), context.RequestAborted));

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

    /// <summary>
    /// A page of the catalogue, through the cache: the same filters, sort and page are answered
    /// from it while no goods was written since they were read. The parameters are checked first,
    /// so a bad one is a 400 whether or not it is cached; a cached page builds no query and rents
    /// no database context. From a page's second read on, its JSON answer is kept with it, for the
    /// same request to be answered from memory ahead of binding (<see cref="CachedReads"/>) while
    /// the page is current.
    /// </summary>
    private static async Task<IResult> ListGoods(
        [AsParameters] CollectionQuery query, [AsParameters] GoodsFilter filter, HttpContext context, GoodsCache cache,
        GoodsCounts counts, CancellationToken cancellationToken)
    {
        var page = PageRequest.From(query);
        var fields = FieldSet.Parse(query.Fields, GoodsJson.Wire.GoodsResponse);
        var criteria = GoodsCriteria.From(filter);
        Sorts.Check(query.Sort);
        var filterKey = PageKey(filter.Q, filter.Category, filter.MinPrice, filter.MaxPrice, filter.InStock);
        var key = PageKey(filterKey, query.Sort, page.Offset.ToString(CultureInfo.InvariantCulture), page.Limit.ToString(CultureInfo.InvariantCulture));
        var cached = await cache.GetPageAsync(key, async token =>
        {
            var db = context.RequestServices.GetRequiredService<ShopDb>();
            var goods = GoodsQueries.Filter(db, criteria);
            // The page's ids first, then their rows: the offset is walked in an index (ids only), not in
            // the table, and only one page of rows is read.
            var ids = Sorts.Apply(goods, query.Sort).Select(g => g.Id).Skip(page.Offset).Take(page.Limit);
            var rows = Sorts.Apply(db.Set<GoodsItem>().Where(g => ids.Contains(g.Id)), query.Sort);
            return new GoodsCache.Page(
                (await rows.ToListAsync(token)).ConvertAll(GoodsResponse.From),
                await counts.CountAsync(db, filterKey, t => GoodsQueries.CountAsync(db, criteria, goods, t), token),
                criteria.ListedBy(query.Sort));
        }, cancellationToken);
        var result = new PagedResult<GoodsResponse>(cached.Items, cached.Total, page, fields, GoodsJson.Wire.GoodsResponse, fields.All ? cached.ItemsJson : null);
        if (!cached.ServedBefore() || !Negotiation.TakesJsonPlainly(context.Request))
        {
            return result;
        }
        var url = AnswerUrl(context.Request);
        if (cached.AnswerFor(url) is { } kept)
        {
            return kept;
        }
        var answer = result.ToCachedAnswer(context.Request);
        cache.RememberAnswer(url, key, cached, answer);
        return answer;
    }

    /// <summary>What a listing answer depends on besides its page: the path (its links repeat it) and the query as sent.</summary>
    private static string AnswerUrl(HttpRequest request) => string.Concat(request.PathBase.Value, request.Path.Value, request.QueryString.Value);

    /// <summary>An unambiguous key of the parts: each is length-prefixed, so no value can pose as two.</summary>
    private static string PageKey(params string?[] parts) =>
        string.Join("|", parts.Select(p => p is null ? "-" : $"{p.Length}:{p}"));

    /// <summary>
    /// The hot read, through the cache: while no write retired the goods since it was loaded, it is
    /// answered without a database context; otherwise it is read afresh.
    /// </summary>
    private static async Task<CachedAnswer> GetGoods(
        long id, HttpContext context, GoodsCache cache, CancellationToken cancellationToken)
    {
        var goods = await cache.GetAsync(id, async token =>
            await GoodsQueries.ById(context.RequestServices.GetRequiredService<ShopDb>(), id, token) is { } found
                ? new GoodsCache.Entry(GoodsResponse.From(found), ETags.For(found.Id, found.Version))
                : null, cancellationToken) ?? throw NotFound(id);
        return goods.Answer;
    }

    private static async Task<JsonHttpResult<GoodsResponse>> CreateGoods(
        HttpContext context, ShopDb db, WriteGate gate, GoodsChangeLog changes, TimeProvider clock, ILoggerFactory logs, CancellationToken cancellationToken)
    {
        var input = await JsonBody.ReadValidAsync(context.Request, GoodsJson.Wire.GoodsWrite, GoodsRules.Validate, cancellationToken);
        var now = clock.UtcNowToTheSecond();
        var goods = new GoodsItem { Sku = input.Sku, Name = input.Name, CreatedAt = now, UpdatedAt = now, Version = 1 };
        input.ApplyTo(goods);
        db.Add(goods);
        await using (var transaction = await gate.BeginAsync(db, cancellationToken))
        {
            // The id is the database's: the log row follows the insert in the same transaction.
            await TrySaveAsync(db, goods, cancellationToken);
            await changes.RecordAsync(db, [goods.Id], null, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        changes.Committed([goods.Id]);
        logs.CreateLogger(typeof(GoodsApi)).Info("Goods {GoodsId} ({Sku}) created by {User}", goods.Id, goods.Sku, Policies.NameOf(context));
        context.Response.Headers.Location = $"/api/v1/goods/{goods.Id}";
        return Written(context, goods, StatusCodes.Status201Created);
    }

    private static Task<JsonHttpResult<GoodsResponse>> ReplaceGoods(
        long id, HttpContext context, ShopDb db, WriteGate gate, GoodsChangeLog changes, TimeProvider clock, ILoggerFactory logs, CancellationToken cancellationToken) =>
        UpdateAsync(id, context, db, gate, changes, clock, logs, "replaced",
            _ => JsonBody.ReadValidAsync(context.Request, GoodsJson.Wire.GoodsWrite, GoodsRules.Validate, cancellationToken), cancellationToken);

    private static Task<JsonHttpResult<GoodsResponse>> PatchGoods(
        long id, HttpContext context, ShopDb db, WriteGate gate, GoodsChangeLog changes, TimeProvider clock, ILoggerFactory logs, CancellationToken cancellationToken) =>
        UpdateAsync(id, context, db, gate, changes, clock, logs, "changed",
            goods => JsonBody.ReadMergePatchValidAsync(context.Request, GoodsRules.ToWrite(goods), GoodsJson.Wire.GoodsWrite, GoodsRules.Validate, cancellationToken),
            cancellationToken);

    /// <summary>
    /// PUT and PATCH: 404, then the If-Match precondition, then the body, then the write — inside
    /// the write gate, so this service's own writers (the order worker above all) take turns with
    /// it instead of colliding in SQLite. A write that still meets a concurrent one (another
    /// process) fails with 412 when the client's If-Match named the version it read, and otherwise
    /// is applied again to the goods as it now is: the last writer wins, as the client expects.
    /// </summary>
    private static async Task<JsonHttpResult<GoodsResponse>> UpdateAsync(
        long id, HttpContext context, ShopDb db, WriteGate gate, GoodsChangeLog changes, TimeProvider clock, ILoggerFactory logs, string verb,
        Func<GoodsItem, Task<GoodsRules.Valid>> readBody, CancellationToken cancellationToken)
    {
        // The whole body is received before the gate is entered (a slow client must not hold up
        // orders), and read again on each attempt (a merge patch applies to the goods as it is then).
        context.Request.EnableBuffering();
        await context.Request.Body.DrainAsync(cancellationToken);
        using var turn = await gate.EnterAsync(cancellationToken);
        // On PostgreSQL the row lock's transaction is the write's; on SQLite each attempt has its own.
        await using var rowLock = await RowLock.TakeAsync(db, "goods", id, cancellationToken);
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        while (true)
        {
            var goods = await FindForWriteAsync(db, context, id, cancellationToken);
            context.Request.Body.Position = 0;
            (await readBody(goods)).ApplyTo(goods);
            goods.Touch(clock.UtcNowToTheSecond());
            var listed = ListedChanges(db.Entry(goods));
            await using (var transaction = rowLock is null ? await db.Database.BeginTransactionAsync(cancellationToken) : null)
            {
                if (await TrySaveAsync(db, goods, cancellationToken))
                {
                    await changes.RecordAsync(db, [goods.Id], listed, cancellationToken);
                    await (transaction ?? rowLock!).CommitAsync(cancellationToken);
                    changes.Committed([goods.Id]);
                    logs.CreateLogger(typeof(GoodsApi)).Info("Goods {GoodsId} ({Sku}) {Change} by {User}", goods.Id, goods.Sku, verb, Policies.NameOf(context));
                    return Written(context, goods, StatusCodes.Status200OK);
                }
            }
            if (ETags.NamesVersions(context.Request))
            {
                throw ETags.Stale();
            }
            if (System.Diagnostics.Stopwatch.GetElapsedTime(started) > RetryFor)
            {
                throw new ApiProblem(409, "The goods kept changing while this request tried to write it; retry");
            }
            db.ChangeTracker.Clear();
        }
    }

    /// <summary>Which listed fields the tracked goods' pending change alters (EF's entry compares each with the row as read).</summary>
    private static GoodsFields ListedChanges(EntityEntry<GoodsItem> entry) =>
        (entry.Property(g => g.Name).IsModified ? GoodsFields.Name : GoodsFields.None)
        | (entry.Property(g => g.PriceCents).IsModified ? GoodsFields.Price : GoodsFields.None)
        | (entry.Property(g => g.Stock).IsModified ? GoodsFields.Stock : GoodsFields.None)
        | (entry.Property(g => g.Category).IsModified ? GoodsFields.Category : GoodsFields.None);

    /// <summary>
    /// How long a write without If-Match goes on meeting writes of other processes (orders taking
    /// stock) before it gives up: each attempt is short, so in practice it lands within a few.
    /// </summary>
    private static readonly TimeSpan RetryFor = TimeSpan.FromSeconds(10);

    private static async Task<NoContent> DeleteGoods(
        long id, HttpContext context, ShopDb db, WriteGate gate, GoodsChangeLog changes, ILoggerFactory logs, CancellationToken cancellationToken)
    {
        await using var transaction = await gate.BeginAsync(db, cancellationToken);
        // With If-Match naming a version, only that version may go; otherwise the goods goes
        // whatever happened to it since, in one statement (no read-then-delete race with orders).
        var read = ETags.NamesVersions(context.Request) ? await FindForWriteAsync(db, context, id, cancellationToken) : null;
        var version = read?.Version;
        var goods = db.Set<GoodsItem>().Where(g => g.Id == id && (version == null || g.Version == version));
        // The precondition already read the goods; without one, its sku (for the log) is read here.
        var sku = read?.Sku ?? await goods.Select(g => g.Sku).FirstOrDefaultAsync(cancellationToken);
        if (sku is null || await goods.ExecuteDeleteAsync(cancellationToken) == 0)
        {
            throw version is null ? NotFound(id) : ETags.Stale();
        }
        await changes.RecordAsync(db, [id], null, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        changes.Committed([id]);
        logs.CreateLogger(typeof(GoodsApi)).Info("Goods {GoodsId} ({Sku}) deleted by {User}", id, sku, Policies.NameOf(context));
        return TypedResults.NoContent();
    }

    private static async Task<GoodsItem> FindForWriteAsync(ShopDb db, HttpContext context, long id, CancellationToken cancellationToken)
    {
        var goods = await db.Set<GoodsItem>().AsTracking().FirstOrDefaultAsync(g => g.Id == id, cancellationToken) ?? throw NotFound(id);
        ETags.CheckIfMatch(context.Request, ETags.For(goods.Id, goods.Version));
        return goods;
    }

    /// <summary>Saves; false when another writer changed the goods since it was read. A duplicate sku is the 409.</summary>
    private static async Task<bool> TrySaveAsync(ShopDb db, GoodsItem goods, CancellationToken cancellationToken)
    {
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return true;
        }
        catch (DbUpdateConcurrencyException)
        {
            return false;
        }
        catch (DbUpdateException ex) when (DataServices.IsUniqueViolation(ex))
        {
            throw new ApiProblem(409, $"A goods with sku '{goods.Sku}' already exists");
        }
    }

    private static JsonHttpResult<GoodsResponse> Written(HttpContext context, GoodsItem goods, int status)
    {
        context.Response.Headers.ETag = ETags.For(goods.Id, goods.Version);
        return TypedResults.Json(GoodsResponse.From(goods), GoodsJson.Wire.GoodsResponse, statusCode: status);
    }

    private static ApiProblem NotFound(long id) => ApiProblem.NotFound($"Goods {id} not found");
}
