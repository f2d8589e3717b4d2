using System.Globalization;
using Microsoft.EntityFrameworkCore;
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
    IServiceScopeFactory scopes, QueueOptions options, TimeProvider clock, WriteGate gate, ShopMetrics metrics, ILogger<OrderQueue> logger)
    : LeasedQueue(scopes, options, clock, gate, logger)
{
    protected override string Table => "orders";
    protected override string Waiting => $"Status = '{OrderStatus.Pending}'";

    protected override string Describe(long id) => $"Order {id}";

    protected override async Task ProcessAsync(ShopDb db, Lease lease, CancellationToken cancellationToken)
    {
        await using var transaction = await Gate.BeginAsync(db, cancellationToken);
        var log = await ReserveAsync(db, transaction, lease, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        log?.Invoke();
    }

    /// <summary>
    /// A claimed batch is processed in ONE transaction with a savepoint per order: a commit (and a
    /// turn at the write gate) per batch instead of per order, which is what lets the worker keep up
    /// with group-committed acceptance. An order that fails rolls back to its savepoint alone and
    /// is retried as usual; if the batch cannot commit, every order in it is retried.
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
        try
        {
            await using var scope = Scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<ShopDb>();
            await using var transaction = await Gate.BeginAsync(db, cancellationToken);
            foreach (var lease in fresh)
            {
                await transaction.Transaction.CreateSavepointAsync("one_order", cancellationToken);
                try
                {
                    if (await ReserveAsync(db, transaction, lease, cancellationToken) is { } log)
                    {
                        logs.Add(log);
                    }
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
            await transaction.CommitAsync(cancellationToken);
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
    /// Inside the caller's transaction: reserves stock for every line or none, fixes prices, sets
    /// the status. Returns the log line to write once committed, or null when there was nothing to do.
    /// </summary>
    private async Task<Action?> ReserveAsync(ShopDb db, GatedTransaction transaction, Lease lease, CancellationToken cancellationToken)
    {
        var now = UtcTimestampConverter.Now(Clock);
        var order = await db.Set<Order>().Include(o => o.Lines)
            .FirstOrDefaultAsync(o => o.Id == lease.Id && o.ClaimedBy == lease.Worker && o.Status == OrderStatus.Pending, cancellationToken);
        if (order is null)
        {
            return null; // Cancelled while queued, or taken over by another worker.
        }
        await transaction.Transaction.CreateSavepointAsync("reserve", cancellationToken);
        var missing = new List<OrderLine>();
        foreach (var line in order.Lines.OrderBy(l => l.Id))
        {
            if (!await OrderStock.TryTakeAsync(db, line.GoodsId, line.Quantity, now, cancellationToken))
            {
                missing.Add(line);
            }
        }
        if (missing.Count > 0)
        {
            await transaction.Transaction.RollbackToSavepointAsync("reserve", cancellationToken);
            var reason = "Not enough stock for " + string.Join(", ", missing.Select(l => $"{l.Sku} ({l.Name})"));
            await FinishAsync(db, lease, OrderStatus.Rejected, reason, null, now, cancellationToken);
            return () =>
            {
                metrics.OrderStatusChanged(OrderStatus.Rejected);
                Logger.Info("Order {OrderId} of {User} rejected: {Reason}", order.Id, order.UserName, reason);
            };
        }
        await transaction.Transaction.ReleaseSavepointAsync("reserve", cancellationToken);
        var total = await FixPricesAsync(db, order, cancellationToken);
        await FinishAsync(db, lease, OrderStatus.Confirmed, null, total, now, cancellationToken);
        // The seed's "who booked what" line.
        return () =>
        {
            metrics.OrderStatusChanged(OrderStatus.Confirmed);
            Logger.Info("{User} ordered {Items}: order {OrderId}, total {Total}", order.UserName,
                string.Join(", ", order.Lines.OrderBy(l => l.Id).Select(l => $"{l.Quantity} x {l.Sku} ({l.Name})")),
                order.Id, (total / 100m).ToString("0.00", CultureInfo.InvariantCulture));
        };
    }

    /// <summary>Sets each line's unit price to the goods price now, inside the reserving transaction; returns the total.</summary>
    private static async Task<long> FixPricesAsync(ShopDb db, Order order, CancellationToken cancellationToken)
    {
        var ids = order.Lines.Select(l => l.GoodsId).Distinct().ToList();
        var prices = await db.Set<Goods.Goods>().Where(g => ids.Contains(g.Id)).ToDictionaryAsync(g => g.Id, g => g.PriceCents, cancellationToken);
        foreach (var line in order.Lines)
        {
            line.UnitPriceCents = prices[line.GoodsId];
            await db.Set<OrderLine>().Where(l => l.Id == line.Id)
                .ExecuteUpdateAsync(s => s.SetProperty(l => l.UnitPriceCents, line.UnitPriceCents), cancellationToken);
        }
        return order.Lines.Sum(l => l.UnitPriceCents!.Value * l.Quantity);
    }

    /// <summary>An order that keeps failing is rejected with the error, never left pending or dropped.</summary>
    protected override async Task GiveUpAsync(ShopDb db, Lease lease, string error, CancellationToken cancellationToken)
    {
        using (await Gate.EnterAsync(cancellationToken))
        {
            await FinishAsync(db, lease, OrderStatus.Rejected, $"Could not be processed: {error}", null, UtcTimestampConverter.Now(Clock), cancellationToken);
        }
        metrics.OrderStatusChanged(OrderStatus.Rejected);
    }

    private static async Task FinishAsync(
        ShopDb db, Lease lease, string status, string? reason, long? totalCents, DateTime now, CancellationToken cancellationToken)
    {
        var held = await db.Set<Order>()
            .Where(o => o.Id == lease.Id && o.ClaimedBy == lease.Worker && o.Status == OrderStatus.Pending)
            .ExecuteUpdateAsync(s => s.SetProperty(o => o.Status, status).SetProperty(o => o.Reason, reason)
                .SetProperty(o => o.TotalCents, totalCents).SetProperty(o => o.UpdatedAt, now)
                .SetProperty(o => o.ClaimedBy, (string?)null).SetProperty(o => o.LeaseUntil, (long?)null), cancellationToken);
        if (held == 0)
        {
            throw new LeaseLostException($"Order {lease.Id}");
        }
    }
}
