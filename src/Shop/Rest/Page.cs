namespace Shop.Rest;

/// <summary>The collection envelope, for the OpenAPI document (the wire form is written by <see cref="PagedResult{T}"/>).</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, int Total, int Limit, int Offset);
