using System.Text.Json.Serialization.Metadata;

namespace Shop.Rest;

/// <summary>The members a client asked for with <c>fields=</c>, validated against the item type.</summary>
public sealed class FieldSet
{
    private FieldSet(IReadOnlyList<string> names, bool all) => (Names, All) = (names, all);

    public IReadOnlyList<string> Names { get; }

    public bool All { get; }

    public static FieldSet Parse<T>(string? fields, JsonTypeInfo<T> typeInfo)
    {
        if (fields is null)
        {
            return new FieldSet([], all: true);
        }
        var known = NamesOf(typeInfo);
        var names = FieldList.Split("fields", fields).Distinct().ToList();
        var unknown = names.Where(n => !known.Contains(n)).ToList();
        if (unknown.Count > 0)
        {
            throw ApiProblem.Validation("fields", $"unknown field '{SortMap<object>.Truncate(unknown[0])}'; use {string.Join(", ", known)}");
        }
        return new FieldSet(names, all: false);
    }

    public static IReadOnlyList<string> NamesOf(JsonTypeInfo typeInfo) => typeInfo.Properties.Select(p => p.Name).ToList();
}
