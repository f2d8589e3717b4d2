namespace Shop.Rest;

/// <summary>The comma-separated field names of <c>sort</c> and <c>fields</c>.</summary>
public static class FieldList
{
    /// <summary>
    /// The names in a list such as <c>price,-created_at</c>; null gives none. An empty list or an
    /// empty name (<c>sort=</c>, <c>fields=id,,name</c>) is a 400: it is a broken URL, and
    /// guessing what it meant would hide the client's bug.
    /// </summary>
    public static IReadOnlyList<string> Split(string parameter, string? list)
    {
        if (list is null)
        {
            return [];
        }
        var names = list.Split(',', StringSplitOptions.TrimEntries);
        if (names.All(n => n.Length == 0))
        {
            throw ApiProblem.Validation(parameter, "must list at least one field");
        }
        return names.Any(n => n.Length == 0 || n == "-")
            ? throw ApiProblem.Validation(parameter, "has an empty field name (two commas in a row, or one at an end)")
            : names;
    }
}
