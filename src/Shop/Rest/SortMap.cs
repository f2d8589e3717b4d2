using System.Linq.Expressions;

namespace Shop.Rest;

/// <summary>
/// The sortable fields of one collection, by their public names. <c>sort=price,-created_at</c>
/// orders by the listed keys (<c>-</c> descending); the id always breaks ties so that paging is stable.
/// </summary>
public sealed class SortMap<T>(Expression<Func<T, long>> id)
{
    private readonly Dictionary<string, Func<IQueryable<T>, bool, bool, IOrderedQueryable<T>>> _keys = new(StringComparer.Ordinal);

    public SortMap<T> Add<TKey>(string name, Expression<Func<T, TKey>> key)
    {
        _keys[name] = (query, descending, first) => (first, descending) switch
        {
            (true, false) => query.OrderBy(key),
            (true, true) => query.OrderByDescending(key),
            (false, false) => ((IOrderedQueryable<T>)query).ThenBy(key),
            (false, true) => ((IOrderedQueryable<T>)query).ThenByDescending(key),
        };
        return this;
    }

    public IEnumerable<string> Names => _keys.Keys;

    public IOrderedQueryable<T> Apply(IQueryable<T> query, string? sort)
    {
        var first = true;
        foreach (var (order, descending) in Keys(sort))
        {
            query = order(query, descending, first);
            first = false;
        }
        return first ? query.OrderBy(id) : ((IOrderedQueryable<T>)query).ThenBy(id);
    }

    /// <summary>The 400 of <see cref="Apply"/> for a bad <paramref name="sort"/>, without building a query (for an answer that may come from a cache).</summary>
    public void Check(string? sort) => _ = Keys(sort).Count;

    private List<(Func<IQueryable<T>, bool, bool, IOrderedQueryable<T>> Order, bool Descending)> Keys(string? sort)
    {
        var keys = new List<(Func<IQueryable<T>, bool, bool, IOrderedQueryable<T>>, bool)>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var raw in FieldList.Split("sort", sort))
        {
            var descending = raw.StartsWith('-');
            var name = descending ? raw[1..] : raw;
            if (!_keys.TryGetValue(name, out var order) || !seen.Add(name))
            {
                throw ApiProblem.Validation("sort", $"'{Truncate(raw)}' is not a sort field (or is listed twice); use {string.Join(", ", _keys.Keys)}");
            }
            keys.Add((order, descending));
        }
        return keys;
    }

    internal static string Truncate(string text) => text.Length <= 40 ? text : text[..40] + "…";
}
