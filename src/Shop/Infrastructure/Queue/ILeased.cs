namespace Shop.Infrastructure.Queue;

/// <summary>
/// The columns that make a table a queue: who holds an item and until when, and how often it has
/// been taken. <see cref="LeasedQueue"/> claims and releases rows through them.
/// </summary>
public interface ILeased
{
    long Id { get; }

    /// <summary>The worker holding the item, or null.</summary>
    string? ClaimedBy { get; set; }

    /// <summary>
    /// Unix milliseconds until which the item is not to be taken: the end of a claim, or the time of
    /// the next retry. Null: take it now.
    /// </summary>
    long? LeaseUntil { get; set; }

    /// <summary>How many times a worker has taken the item.</summary>
    int Attempts { get; set; }
}
