using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Shop.Rest;

/// <summary>
/// The members of a request body that its record does not have, at any depth (an order's items),
/// named by their path (<c>items[0].colour</c>); the serializer would report only the first.
/// </summary>
public static class UnknownMembers
{
    public static Dictionary<string, string[]> Find(JsonElement element, JsonTypeInfo typeInfo, string prefix = "")
    {
        var errors = new Dictionary<string, string[]>();
        var known = typeInfo.Properties.ToDictionary(p => p.Name, StringComparer.Ordinal);
        foreach (var property in element.EnumerateObject())
        {
            if (!known.TryGetValue(property.Name, out var info))
            {
                errors[prefix + property.Name] = ["is not a known member"];
                continue;
            }
            // Nested objects and arrays of objects are checked too (an order's items, for example).
            var nested = typeInfo.Options.GetTypeInfo(info.PropertyType);
            var itemType = nested.ElementType is { } elementType ? typeInfo.Options.GetTypeInfo(elementType) : null;
            if (nested.Kind == JsonTypeInfoKind.Object && property.Value.ValueKind == JsonValueKind.Object)
            {
                foreach (var pair in Find(property.Value, nested, $"{prefix}{property.Name}."))
                {
                    errors[pair.Key] = pair.Value;
                }
            }
            else if (itemType is { Kind: JsonTypeInfoKind.Object } && property.Value.ValueKind == JsonValueKind.Array)
            {
                var index = 0;
                foreach (var item in property.Value.EnumerateArray())
                {
                    if (item.ValueKind == JsonValueKind.Object)
                    {
                        foreach (var pair in Find(item, itemType, $"{prefix}{property.Name}[{index}]."))
                        {
                            errors[pair.Key] = pair.Value;
                        }
                    }
                    index++;
                }
            }
        }
        return errors;
    }
}
