using System.Text.Json.Serialization.Metadata;
using Microsoft.EntityFrameworkCore;

namespace Shop.Rest;

/// <summary>
/// Answers a collection request from a query: the page and <c>fields</c> checked, the rows counted,
/// sorted (ties broken by id), the page read and wrapped in the contract's envelope.
/// </summary>
public static class CollectionPage
{
    /// <summary>One page of the rows, each turned into its response in memory by <paramref name="map"/>.</summary>
    /// <param name="rows">Builds the filtered rows; called after the page and fields are checked, so their 400 comes first.</param>
    public static Task<PagedResult<TItem>> ReadAsync<TRow, TItem>(Func<IQueryable<TRow>> rows, CollectionQuery query, SortMap<TRow> sorts,
        Func<TRow, TItem> map, JsonTypeInfo<TItem> typeInfo, CancellationToken cancellationToken) =>
        ReadAsync(rows, query, sorts, async (page, token) => (await page.ToListAsync(token)).ConvertAll(row => map(row)), typeInfo, cancellationToken);

    /// <summary>One page of the rows; <paramref name="load"/> reads the sorted page (to project in SQL).</summary>
    public static async Task<PagedResult<TItem>> ReadAsync<TRow, TItem>(Func<IQueryable<TRow>> rows, CollectionQuery query, SortMap<TRow> sorts,
        Func<IQueryable<TRow>, CancellationToken, Task<List<TItem>>> load, JsonTypeInfo<TItem> typeInfo, CancellationToken cancellationToken)
    {
        var page = PageRequest.From(query);
        var fields = FieldSet.Parse(query.Fields, typeInfo);
        var filtered = rows();
        var sorted = sorts.Apply(filtered, query.Sort);
        var total = await filtered.CountAsync(cancellationToken);
        var items = await load(sorted.Skip(page.Offset).Take(page.Limit), cancellationToken);
        return new PagedResult<TItem>(items, total, page, fields, typeInfo);
    }
}
