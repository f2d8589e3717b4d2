namespace Shop.Infrastructure.Cache;

/// <summary>
/// A cached value with the change-log position it was loaded at: everything logged up to
/// <paramref name="Stamp"/> was committed before the load began. A null value is kept too (a goods
/// that does not exist), since its creation is logged like any other change.
/// </summary>
public sealed record Stamped<TValue>(long Stamp, TValue? Value) where TValue : class;
