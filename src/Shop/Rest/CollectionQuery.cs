using Microsoft.AspNetCore.Mvc;

namespace Shop.Rest;

/// <summary>
/// The query parameters every collection accepts. They bind as strings so that a bad value gets the
/// contract's 400 naming the parameter instead of the framework's bare binding failure.
/// </summary>
public sealed record CollectionQuery(
    [FromQuery(Name = "page")] string? Page,
    [FromQuery(Name = "per_page")] string? PerPage,
    [FromQuery(Name = "limit")] string? Limit,
    [FromQuery(Name = "offset")] string? Offset,
    [FromQuery(Name = "sort")] string? Sort,
    [FromQuery(Name = "fields")] string? Fields);
