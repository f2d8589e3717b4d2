namespace Shop.Infrastructure.Queue;

/// <summary>
/// The <c>queue_worker</c> setting: whether this instance runs the queue workers. False makes an
/// accept-only instance: it answers 202 and stores the work, and instances with workers (sharing
/// the database) process it.
/// </summary>
public sealed record QueueWorkerOptions(bool Run = true);
