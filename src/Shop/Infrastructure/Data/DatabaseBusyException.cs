namespace Shop.Infrastructure.Data;

/// <summary>A write waited longer than <see cref="WriteGate.MaxWait"/> for this process's write gate (the writer ahead is stuck on a lock).</summary>
public sealed class DatabaseBusyException()
    : TimeoutException("The database is busy: a write waited too long for the writers ahead of it");
