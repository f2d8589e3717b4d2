namespace Shop.Infrastructure.Queue;

/// <summary>One claimed item: its id, which attempt this is, and the worker holding it.</summary>
public readonly record struct Lease(long Id, int Attempts, string Worker);
