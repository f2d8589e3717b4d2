using Shop.Infrastructure.Queue;

namespace Shop.Features.Orders;

/// <summary>
/// An order row. While <c>pending</c> it is also the durable message of the order queue: it is
/// written in the transaction that answers 202, and a worker claims it through the lease columns.
/// </summary>
public sealed class Order : ILeased
{
    public long Id { get; set; }
    public long UserId { get; set; }

    /// <summary>The username when the order was placed, for the "who booked what" log line.</summary>
    public required string UserName { get; set; }

    /// <summary>pending, confirmed, rejected or cancelled (<see cref="OrderStatus"/>).</summary>
    public required string Status { get; set; }

    public string? Reason { get; set; }

    /// <summary>Fixed when the order is confirmed; null before.</summary>
    public long? TotalCents { get; set; }

    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }

    /// <summary>The client's Idempotency-Key, unique per user, kept as long as the order.</summary>
    public string? IdempotencyKey { get; set; }

    /// <summary>A hash of the request's items, to tell a retry (same body) from a reused key (422).</summary>
    public string? RequestHash { get; set; }

    public string? ClaimedBy { get; set; }
    public long? LeaseUntil { get; set; }
    public int Attempts { get; set; }

    public List<OrderLine> Lines { get; set; } = [];
}
