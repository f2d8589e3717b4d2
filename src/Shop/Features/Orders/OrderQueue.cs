using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Shop.Features.Goods;
using Shop.Infrastructure;
using Shop.Infrastructure.Data;
using Shop.Infrastructure.Logging;
using Shop.Infrastructure.Metrics;
using Shop.Infrastructure.Queue;
using Shop.Rest;

namespace Shop.Features.Orders;

/// <summary>
/// The order worker. For each claimed order, ONE transaction reserves stock for every line or
/// none (a savepoint undoes a partial reservation), fixes prices, and sets the status with an
/// update that requires the order to be still pending and still claimed by this worker. An order
/// taken twice — after a crash, or by a worker whose lease ran out — therefore reserves once.
/// </summary>
public sealed class OrderQueue(
    IServiceScopeFactory scopes, QueueOptions options, TimeProvider clock, WriteGate gate, GoodsChangeLog goodsChanges, ShopMetrics metrics,
    ILogger<OrderQueue> logger)
    : LeasedQueue(scopes, options, clock, gate, logger)
{
    protected override string Table => "orders";
    protected override string Waiting => $"Status = '{OrderStatus.Pending}'";

    protected override string Describe(long id) => $"Order {id}";

    /// <summary>One order is a batch of one: the same transaction, savepoints and failure handling.</summary>
    protected override Task ProcessAsync(ShopDb db, Lease lease, CancellationToken cancellationToken) =>
        ProcessClaimedAsync([lease], cancellationToken);

    /// <summary>
    /// A claimed batch is processed in ONE transaction: a commit (and a turn at the write gate) per
    /// batch instead of per order, which is what lets the worker keep up with group-committed
    /// acceptance. The orders are held first, so the confirmed ones are finished by two statements
    /// for the whole batch. An order that fails rolls back to its savepoint alone and is retried as
    /// usual; if the batch cannot commit, every order in it is retried.
    /// </summary>
    protected override async Task ProcessClaimedAsync(IReadOnlyList<Lease> leases, CancellationToken cancellationToken)
    {
        var worn = leases.Where(l => l.Attempts > Options.MaxAttempts).ToList();
        foreach (var lease in worn)
        {
            await RunAsync(lease, cancellationToken); // Gives them up.
        }
        var fresh = leases.Except(worn).ToList();
        var logs = new List<Action>();
        var failures = new List<(Lease Lease, Exception Error)>();
        var now = Clock.UtcNowToTheSecond();
        try
        {
            await using var scope = Scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<ShopDb>();
            await using var transaction = await Gate.BeginAsync(db, cancellationToken);
            var stock = new GoodsStock(db, goodsChanges);
            var orders = await LoadHeldAsync(db, fresh, cancellationToken);
            var confirmed = new List<Order>();
            foreach (var lease in fresh)
            {
                if (!orders.TryGetValue(lease.Id, out var order))
                {
                    continue; // Cancelled while queued, or taken over by another worker.
                }
                // PostgreSQL refuses every statement after an error until the transaction rolls back
                // to a savepoint; SQLite undoes only the failed statement, which for an order of one
                // line is all the order did. An error there fails the batch.
                if (order.Lines.Count == 1 && db.Database.IsSqlite())
                {
                    logs.Add(await ReserveAsync(stock, db, transaction, order, lease, confirmed, now, cancellationToken));
                    continue;
                }
                await transaction.Transaction.CreateSavepointAsync("one_order", cancellationToken);
                try
                {
                    logs.Add(await ReserveAsync(stock, db, transaction, order, lease, confirmed, now, cancellationToken));
                }
                catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
                {
                    await transaction.Transaction.RollbackToSavepointAsync("one_order", cancellationToken);
                    if (ex is not LeaseLostException)
                    {
                        failures.Add((lease, ex));
                    }
                }
                await transaction.Transaction.ReleaseSavepointAsync("one_order", cancellationToken);
            }
            if (confirmed.Count > 0)
            {
                await ConfirmAsync(db, confirmed, fresh[0].Worker, now, cancellationToken);
            }
            await stock.RecordAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            stock.Committed();
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            logs.Clear();
            failures = fresh.ConvertAll(l => (l, ex));
        }
        logs.ForEach(log => log());
        foreach (var (lease, error) in failures)
        {
            await FailedAsync(lease, error, cancellationToken);
        }
    }

    /// <summary>
    /// The claimed orders that are still pending and still ours, with their lines, in one query for
    /// the whole batch, and held until the commit: on SQLite the write transaction already keeps
    /// every other writer out; on PostgreSQL the rows are locked first, so no other worker can take
    /// them over before this batch finishes them. Read without tracking: every change is a
    /// conditional update of its own.
    /// </summary>
    private static async Task<Dictionary<long, Order>> LoadHeldAsync(ShopDb db, IReadOnlyList<Lease> leases, CancellationToken cancellationToken)
    {
        if (leases.Count == 0)
        {
            return [];
        }
        var ids = leases.Select(l => l.Id).ToList();
        var worker = leases[0].Worker;
        if (!db.Database.IsSqlite())
        {
            await using var hold = Sql.Command(db, "", ("@worker", worker));
            hold.CommandText = $"SELECT Id FROM orders WHERE Id IN ({Sql.List(hold, "@id", ids)}) AND ClaimedBy = @worker FOR UPDATE";
            await hold.ExecuteNonQueryAsync(cancellationToken);
        }
        var orders = await db.Set<Order>().AsNoTracking().Include(o => o.Lines)
            .Where(o => ids.Contains(o.Id) && o.ClaimedBy == worker && o.Status == OrderStatus.Pending)
            .ToListAsync(cancellationToken);
        return orders.ToDictionary(o => o.Id);
    }

    /// <summary>
    /// Inside the caller's transaction: reserves stock for every line or none, and either rejects
    /// the order or adds it to <paramref name="confirmed"/>, for <see cref="ConfirmAsync"/>. Returns
    /// the log line to write once committed.
    /// </summary>
    private async Task<Action> ReserveAsync(
        GoodsStock stock, ShopDb db, GatedTransaction transaction, Order order, Lease lease, List<Order> confirmed, DateTime now,
        CancellationToken cancellationToken)
    {
        var lines = order.Lines.OrderBy(l => l.Id).ToList();
        var missing = new List<OrderLine>();
        foreach (var line in lines)
        {
            line.UnitPriceCents = await stock.TryTakeAsync(line.GoodsId, line.Quantity, now, cancellationToken);
            if (line.UnitPriceCents is null)
            {
                missing.Add(line);
            }
        }
        if (missing.Count > 0)
        {
            // An order of several lines runs inside its savepoint (the caller's): the lines taken go back.
            if (lines.Count > 1)
            {
                await transaction.Transaction.RollbackToSavepointAsync("one_order", cancellationToken);
            }
            var reason = "Not enough stock for " + string.Join(", ", missing.Select(l => $"{l.Sku} ({l.Name})"));
            await FinishAsync(db, lease, OrderStatus.Rejected, reason, null, now, cancellationToken);
            return () =>
            {
                metrics.OrderStatusChanged(OrderStatus.Rejected);
                Logger.Info("Order {OrderId} of {User} rejected: {Reason}", order.Id, order.UserName, reason);
            };
        }
        confirmed.Add(order);
        var total = lines.Sum(l => l.UnitPriceCents!.Value * l.Quantity);
        // The seed's "who booked what" line.
        return () =>
        {
            metrics.OrderStatusChanged(OrderStatus.Confirmed);
            Logger.Info("{User} ordered {Items}: order {OrderId}, total {Total}", order.UserName,
                string.Join(", ", lines.Select(l => $"{l.Quantity} x {l.Sku} ({l.Name})")),
                order.Id, (total / 100m).ToString("0.00", CultureInfo.InvariantCulture));
        };
    }

    /// <summary>
    /// Fixes the prices of the confirmed orders' lines and confirms them with their totals: two
    /// statements for the batch. Each price is the goods' price now, which is the price its
    /// reservation read: the reservation's update holds the goods row (SQLite: the write lock;
    /// PostgreSQL: the row lock) until this transaction commits, so no one can have changed it.
    /// </summary>
    private static async Task ConfirmAsync(ShopDb db, IReadOnlyList<Order> confirmed, string worker, DateTime now, CancellationToken cancellationToken)
    {
        var ids = confirmed.Select(o => o.Id).ToList();
        await using var price = Sql.Command(db, "");
        price.CommandText = $"""
            UPDATE order_lines SET UnitPriceCents = (SELECT PriceCents FROM goods WHERE goods.Id = order_lines.GoodsId)
            WHERE OrderId IN ({Sql.List(price, "@id", ids)})
            """;
        await price.ExecuteNonQueryAsync(cancellationToken);
        await using var confirm = Sql.Command(db, "",
            ("@status", OrderStatus.Confirmed), ("@now", now), ("@worker", worker), ("@pending", OrderStatus.Pending));
        confirm.CommandText = $"""
            UPDATE orders SET Status = @status, Reason = NULL, UpdatedAt = @now, ClaimedBy = NULL, LeaseUntil = NULL,
                TotalCents = (SELECT SUM(UnitPriceCents * Quantity) FROM order_lines WHERE order_lines.OrderId = orders.Id)
            WHERE Id IN ({Sql.List(confirm, "@id", ids)}) AND ClaimedBy = @worker AND Status = @pending
            """;
        if (await confirm.ExecuteNonQueryAsync(cancellationToken) != confirmed.Count)
        {
            // Cannot happen while the orders are held (LoadHeldAsync); if it does, the batch is retried.
            throw new LeaseLostException($"Orders {string.Join(", ", ids)}");
        }
    }

    /// <summary>An order that keeps failing is rejected with the error, never left pending or dropped.</summary>
    protected override async Task GiveUpAsync(ShopDb db, Lease lease, string error, CancellationToken cancellationToken)
    {
        using (await Gate.EnterAsync(cancellationToken))
        {
            await FinishAsync(db, lease, OrderStatus.Rejected, $"Could not be processed: {error}", null, Clock.UtcNowToTheSecond(), cancellationToken);
        }
        metrics.OrderStatusChanged(OrderStatus.Rejected);
    }

    /// <summary>
    /// Sets the final status, conditional on the order being still pending and still claimed by
    /// this worker: the update that makes processing happen once. Plain SQL because it runs for
    /// every order and EF's ExecuteUpdate translates its expression tree on every call.
    /// </summary>
    private static async Task FinishAsync(
        ShopDb db, Lease lease, string status, string? reason, long? totalCents, DateTime now, CancellationToken cancellationToken)
    {
        var held = await db.Database.ExecuteSqlAsync($"""
            UPDATE orders SET Status = {status}, Reason = {reason}, TotalCents = {totalCents}, UpdatedAt = {now},
                ClaimedBy = NULL, LeaseUntil = NULL
            WHERE Id = {lease.Id} AND ClaimedBy = {lease.Worker} AND Status = {OrderStatus.Pending}
            """, cancellationToken);
        if (held == 0)
        {
            throw new LeaseLostException($"Order {lease.Id}");
        }
    }
}
