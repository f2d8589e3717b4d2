using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;

namespace Shop.Rest;

/// <summary>
/// Binds a parsed JSON object to a request record so that one 400 names every bad field: unknown
/// members, members that cannot be read (a string for a number) and the rules' errors of the rest.
/// System.Text.Json stops at the first error, which is why this part is hand-written.
/// </summary>
public static class JsonBinding
{
    /// <summary>Binds a parsed object, naming unknown members and every member of the wrong type.</summary>
    public static T Bind<T>(JsonElement element, JsonTypeInfo<T> typeInfo) => BindValid(element, typeInfo, value => value);

    /// <summary>
    /// Binds what can be read and validates it. The 400 names, in one answer, every unknown member,
    /// every member that could not be read, and the validation errors of the rest. (An unknown
    /// member inside a nested object is reported alone.)
    /// </summary>
    public static TValid BindValid<T, TValid>(JsonElement element, JsonTypeInfo<T> typeInfo, Func<T, TValid> validate)
    {
        var unknown = UnknownMembers.Find(element, typeInfo);
        if (unknown.Keys.Any(k => k.Contains('.') || k.Contains('[')))
        {
            throw ApiProblem.Validation(unknown);
        }
        if (unknown.Count > 0)
        {
            // Left out, so the members that belong to the body are still read and checked.
            var known = JsonObject.Create(element)!;
            foreach (var name in unknown.Keys)
            {
                known.Remove(name);
            }
            element = JsonSerializer.SerializeToElement(known, RestJson.Default.JsonNode);
        }
        var (value, unreadable, dropped) = BindReadable(element, typeInfo);
        foreach (var (name, messages) in unknown)
        {
            unreadable[name] = messages;
        }
        try
        {
            var valid = validate(value);
            return unreadable.Count == 0 ? valid : throw ApiProblem.Validation(unreadable);
        }
        catch (ApiProblem problem) when (unreadable.Count > 0 && problem.Errors is { } errors)
        {
            // A dropped member also fails its rules ("is required"): its reading error says more.
            foreach (var (field, messages) in errors.Where(e => !dropped.Any(member => Within(e.Key, member))))
            {
                unreadable.TryAdd(field, messages);
            }
            throw ApiProblem.Validation(unreadable);
        }
    }

    /// <summary>
    /// Deserializes, leaving out each top-level member that cannot be read and naming it (with the
    /// path of the exact value, e.g. <c>items[0].quantity</c>), so the rest can still be validated.
    /// </summary>
    private static (T Value, Dictionary<string, string[]> Unreadable, List<string> Dropped) BindReadable<T>(JsonElement element, JsonTypeInfo<T> typeInfo)
    {
        var unreadable = new Dictionary<string, string[]>();
        var dropped = new List<string>();
        JsonObject? rest = null;
        while (true)
        {
            try
            {
                var value = element.Deserialize(typeInfo) ?? throw ApiProblem.BadRequest("The request body must be a JSON object");
                return (value, unreadable, dropped);
            }
            catch (JsonException ex)
            {
                var field = FieldOf(ex.Path);
                var message = ex is JsonMemberException member ? member.Message : "has the wrong type";
                rest ??= JsonObject.Create(element)!;
                // The exact member if it sits in an object (items[1].goods_id), so the rest of its
                // array is still checked; otherwise the whole top-level member.
                var nested = RemoveMember(rest, field);
                var name = nested ? field : field.Split('.', '[')[0];
                if (unreadable.ContainsKey(field) || (!nested && !rest.Remove(name)))
                {
                    // The same member again, or nothing left to take out: report what there is.
                    unreadable.TryAdd(field, [message]);
                    throw ApiProblem.Validation(unreadable);
                }
                unreadable[field] = [message];
                dropped.Add(name);
                element = JsonSerializer.SerializeToElement(rest, RestJson.Default.JsonNode);
            }
        }
    }

    /// <summary>
    /// Removes the member a path such as <c>items[1].goods_id</c> names from the object holding it;
    /// false when the path does not end in a member of an object that is inside the body.
    /// </summary>
    private static bool RemoveMember(JsonObject root, string path)
    {
        var dot = path.LastIndexOf('.');
        if (dot <= 0)
        {
            return false; // A top-level member: the caller removes it.
        }
        JsonNode? node = root;
        foreach (var part in path[..dot].Split('.'))
        {
            var bracket = part.IndexOf('[');
            node = node is JsonObject obj ? obj[bracket < 0 ? part : part[..bracket]] : null;
            for (var open = bracket; open >= 0 && node is not null; open = part.IndexOf('[', open + 1))
            {
                var close = part.IndexOf(']', open);
                node = close > open && int.TryParse(part.AsSpan(open + 1, close - open - 1), out var index) && node is JsonArray array && index < array.Count
                    ? array[index] : null;
            }
        }
        return node is JsonObject holder && holder.Remove(path[(dot + 1)..]);
    }

    /// <summary>True when <paramref name="field"/> is <paramref name="member"/> or inside it (<c>items[0].quantity</c> in <c>items</c>).</summary>
    private static bool Within(string field, string member) =>
        field == member || field.StartsWith(member + ".", StringComparison.Ordinal) || field.StartsWith(member + "[", StringComparison.Ordinal);

    /// <summary>Turns a JSON path such as <c>$.items[0].quantity</c> into <c>items[0].quantity</c>.</summary>
    private static string FieldOf(string? path) =>
        string.IsNullOrEmpty(path) || path == "$" ? "body" : path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path.TrimStart('$');
}
