using System.Threading.Channels;
using Shop.Infrastructure;
using Shop.Infrastructure.Data;

namespace Shop.Features.Orders;

/// <summary>
/// Group commit for accepted orders: requests hand their new order to one writer, which stores
/// everything waiting in ONE transaction and then answers them all. SQLite commits one writer at
/// a time, so a commit per order caps acceptance at the commit rate; a commit per batch does not.
/// Each request still gets its 202 only after its order is durable.
/// </summary>
public sealed class OrderInbox(IServiceScopeFactory scopes, WriteGate gate, OrderQueue queue) : BackgroundService
{
    private const int MaxBatch = 256;

    private readonly Channel<(Order Order, TaskCompletionSource Stored)> _waiting =
        Channel.CreateUnbounded<(Order, TaskCompletionSource)>(new UnboundedChannelOptions { SingleReader = true });

    /// <summary>Stores the order (durably, with the next batch) and returns when it is committed.</summary>
    public async Task StoreAsync(Order order, CancellationToken cancellationToken)
    {
        var stored = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await _waiting.Writer.WriteAsync((order, stored), cancellationToken);
        await stored.Task;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await PoolContinuations.Enter();
        var batch = new List<(Order Order, TaskCompletionSource Stored)>(MaxBatch);
        try
        {
            while (await _waiting.Reader.WaitToReadAsync(stoppingToken))
            {
                while (batch.Count < MaxBatch && _waiting.Reader.TryRead(out var item))
                {
                    batch.Add(item);
                }
                await WriteAsync(batch, stoppingToken);
                batch.Clear();
                queue.Notify();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: orders not yet stored were never acknowledged; their requests fail
            // now instead of waiting for the server to give up on them.
            _waiting.Writer.TryComplete();
            batch.ForEach(b => b.Stored.TrySetCanceled(stoppingToken));
            while (_waiting.Reader.TryRead(out var item))
            {
                item.Stored.TrySetCanceled(stoppingToken);
            }
        }
    }

    private async Task WriteAsync(List<(Order Order, TaskCompletionSource Stored)> batch, CancellationToken cancellationToken)
    {
        try
        {
            await SaveAsync(batch.Select(b => b.Order), cancellationToken);
            batch.ForEach(b => b.Stored.TrySetResult());
        }
        catch (Exception) when (batch.Count > 1 && !cancellationToken.IsCancellationRequested)
        {
            // One order spoiled the batch (two requests with one Idempotency-Key): store them one
            // by one, so only that one fails, with the error its request turns into an answer.
            foreach (var (order, stored) in batch)
            {
                try
                {
                    Reset(order);
                    await SaveAsync([order], cancellationToken);
                    stored.TrySetResult();
                }
                catch (Exception ex)
                {
                    stored.TrySetException(ex);
                }
            }
        }
        catch (Exception ex)
        {
            batch.ForEach(b => b.Stored.TrySetException(ex));
        }
    }

    private async Task SaveAsync(IEnumerable<Order> orders, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ShopDb>();
        db.AddRange(orders);
        using (await gate.EnterAsync(cancellationToken))
        {
            await db.SaveChangesAsync(cancellationToken);
        }
    }

    /// <summary>Forgets keys a failed batch may have assigned, so the order is inserted afresh.</summary>
    private static void Reset(Order order)
    {
        order.Id = 0;
        order.Lines.ForEach(l => (l.Id, l.OrderId) = (0, 0));
    }
}
