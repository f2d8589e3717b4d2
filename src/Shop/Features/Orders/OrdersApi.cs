using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Shop.Features.Goods;
using Shop.Infrastructure;
using Shop.Infrastructure.Auth;
using Shop.Infrastructure.Data;
using Shop.Infrastructure.Logging;
using Shop.Infrastructure.Metrics;
using Shop.Infrastructure.Queue;
using Shop.Rest;

namespace Shop.Features.Orders;

/// <summary>
/// The orders module: <c>/api/v1/orders</c>. Placing an order stores it as pending and answers 202;
/// <see cref="OrderQueue"/> confirms or rejects it. Customers see their own orders, admins all.
/// </summary>
public static class OrdersApi
{
    private static readonly SortMap<Order> Sorts = new SortMap<Order>(o => o.Id)
        .Add("id", o => o.Id)
        .Add("status", o => o.Status)
        // No total yet (pending) or none (rejected) ranks below every total, on both databases
        // (their own NULL orders differ: SQLite puts NULL first, PostgreSQL last).
        .Add("total", o => o.TotalCents ?? -1)
        .Add("created_at", o => o.CreatedAt)
        .Add("updated_at", o => o.UpdatedAt);

    public static IServiceCollection AddOrders(this IServiceCollection services) =>
        services.AddJsonContext(OrdersJson.Wire).AddLeasedQueue<OrderQueue>()
            .AddSingleton<OrderInbox>().AddHostedService(services => services.GetRequiredService<OrderInbox>());

    public static IEndpointRouteBuilder MapOrders(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapModule("/api/v1/orders", "Orders").RequireAuthorization(Policies.SignedIn);
        group.MapPost("", PlaceOrder).WithSummary("Place an order: stored as pending and confirmed or rejected in the background")
            .Accepts<OrderCreate>(JsonBody.Json).Produces<OrderResponse>(202).WithWriteProblems().WithProblems(422);
        group.MapGet("", ListOrders)
            .WithSummary("List orders: your own (admins: all, filters user_id and status)")
            .ProducesCollection<OrderResponse>().WithProblems(401);
        group.MapGet("/{id:long}", GetOrder).CalledBy("owner, admin").WithSummary("Get an order (owner or admin)")
            .Produces<OrderResponse>(200).WithProblems(401, 404, 406);
        group.MapPatch("/{id:long}", CancelOrder).CalledBy("owner, admin").WithSummary("Cancel an order: {\"status\": \"cancelled\"}; stock is given back")
            .Accepts<OrderPatch>(JsonBody.MergePatch, JsonBody.Json).Produces<OrderResponse>(200).WithWriteProblems().WithProblems(404, 409);
        return routes;
    }

    private static async Task<JsonHttpResult<OrderResponse>> PlaceOrder(
        HttpContext context, [AsParameters] OrderServices services, CancellationToken cancellationToken)
    {
        var (db, inbox, metrics, clock) = (services.Db, services.Inbox, services.Metrics, services.Clock);
        var key = OrdersRules.IdempotencyKey(context.Request);
        var items = await JsonBody.ReadValidAsync(context.Request, OrdersJson.Wire.OrderCreate, OrdersRules.Validate, cancellationToken);
        var userId = context.User.GetUserId();
        var hash = OrdersRules.Hash(items);
        if (key is not null && await OrderIdempotency.FindAsync(db, userId, key, hash, cancellationToken) is { } earlier)
        {
            return Accepted(context, earlier, replayed: true);
        }
        var order = await OrderIdempotency.NewOrderAsync(db, context, items, clock.UtcNowToTheSecond(), cancellationToken);
        order.IdempotencyKey = key;
        order.RequestHash = key is null ? null : hash;
        try
        {
            await inbox.StoreAsync(order, cancellationToken);
        }
        catch (DbUpdateException ex) when (key is not null && DataServices.IsUniqueViolation(ex))
        {
            // A concurrent request with the same key stored its order first: answer with that one.
            var winner = await OrderIdempotency.FindAsync(db, userId, key, hash, cancellationToken);
            if (winner is null)
            {
                throw;
            }
            return Accepted(context, winner, replayed: true);
        }
        metrics.OrderStatusChanged(OrderStatus.Pending);
        return Accepted(context, order, replayed: false);
    }

    private static async Task<PagedResult<OrderResponse>> ListOrders(
        [AsParameters] CollectionQuery query, [AsParameters] OrderFilter filter, HttpContext context, ShopDb db, CancellationToken cancellationToken)
    {
        var page = PageRequest.From(query);
        var fields = FieldSet.Parse(query.Fields, OrdersJson.Wire.OrderResponse);
        var orders = Filter(db.Set<Order>(), filter, context);
        var total = await orders.CountAsync(cancellationToken);
        var rows = await Sorts.Apply(orders.Include(o => o.Lines), query.Sort).Skip(page.Offset).Take(page.Limit).ToListAsync(cancellationToken);
        return new PagedResult<OrderResponse>(rows.ConvertAll(OrderResponse.From), total, page, fields, OrdersJson.Wire.OrderResponse);
    }

    private static IQueryable<Order> Filter(IQueryable<Order> orders, OrderFilter filter, HttpContext context)
    {
        if (!context.User.IsAdmin())
        {
            var me = context.User.GetUserId();
            orders = orders.Where(o => o.UserId == me);
        }
        if (filter.UserId is { } text)
        {
            var userId = long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id > 0
                ? id : throw ApiProblem.Validation("user_id", "must be a positive integer");
            orders = orders.Where(o => o.UserId == userId);
        }
        if (filter.Status is { } status)
        {
            orders = OrderStatus.All.Contains(status)
                ? orders.Where(o => o.Status == status)
                : throw ApiProblem.Validation("status", $"must be one of {string.Join(", ", OrderStatus.All)}");
        }
        return orders;
    }

    private static async Task<JsonHttpResult<OrderResponse>> GetOrder(long id, HttpContext context, ShopDb db, CancellationToken cancellationToken) =>
        TypedResults.Json(OrderResponse.From(await FindVisibleAsync(db, context, id, cancellationToken)), OrdersJson.Wire.OrderResponse);

    private static async Task<JsonHttpResult<OrderResponse>> CancelOrder(
        long id, HttpContext context, [AsParameters] OrderServices services, CancellationToken cancellationToken)
    {
        var (db, gate, goodsChanges, _, metrics, clock, logs) = services;
        var order = await FindVisibleAsync(db, context, id, cancellationToken);
        var patch = await JsonBody.ReadMergePatchAsync(context.Request, new OrderPatch(order.Status), OrdersJson.Wire.OrderPatch, cancellationToken);
        if (patch.Status == order.Status && order.Status != OrderStatus.Cancelled)
        {
            return TypedResults.Json(OrderResponse.From(order), OrdersJson.Wire.OrderResponse); // Nothing to change.
        }
        if (patch.Status != OrderStatus.Cancelled)
        {
            throw ApiProblem.Validation("status", "can only be changed to cancelled");
        }
        if (!await OrderCancellation.CancelAsync(db, gate, goodsChanges, order, clock.UtcNowToTheSecond(), cancellationToken))
        {
            var status = await db.Set<Order>().Where(o => o.Id == id).Select(o => o.Status).SingleAsync(cancellationToken);
            throw new ApiProblem(409, $"Order {id} is already {status}");
        }
        metrics.OrderStatusChanged(OrderStatus.Cancelled);
        logs.CreateLogger(typeof(OrdersApi)).Info("Order {OrderId} cancelled by {User}", id, Policies.NameOf(context));
        return TypedResults.Json(OrderResponse.From(await FindVisibleAsync(db, context, id, cancellationToken)), OrdersJson.Wire.OrderResponse);
    }

    /// <summary>The order if the caller owns it or is an admin; anyone else gets the same 404 as for no order.</summary>
    private static async Task<Order> FindVisibleAsync(ShopDb db, HttpContext context, long id, CancellationToken cancellationToken)
    {
        var order = await db.Set<Order>().Include(o => o.Lines).FirstOrDefaultAsync(o => o.Id == id, cancellationToken);
        return order is not null && (context.User.IsAdmin() || order.UserId == context.User.GetUserId())
            ? order
            : throw ApiProblem.NotFound($"Order {id} not found");
    }

    private static JsonHttpResult<OrderResponse> Accepted(HttpContext context, Order order, bool replayed)
    {
        context.Response.Headers.Location = $"/api/v1/orders/{order.Id}";
        if (replayed)
        {
            context.Response.Headers["Idempotent-Replayed"] = "true";
        }
        return TypedResults.Json(OrderResponse.From(order), OrdersJson.Wire.OrderResponse, statusCode: StatusCodes.Status202Accepted);
    }
}
