using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Net.Http.Headers;

namespace Shop.Rest;

/// <summary>
/// Strict reading of JSON request bodies: the media type (415), an empty or malformed body (400),
/// duplicate or unknown members (400 naming them) and members of the wrong type (400 naming the
/// field). Syntax is checked by parsing into a document first, so that the errors a client sees
/// never contain .NET type names.
/// </summary>
public static class JsonBody
{
    public const string Json = "application/json";
    public const string MergePatch = "application/merge-patch+json";

    private static readonly JsonDocumentOptions DocumentOptions = new()
    {
        MaxDepth = 32,
        AllowDuplicateProperties = false,
    };

    /// <summary>Reads a POST or PUT body into <typeparamref name="T"/>.</summary>
    public static async Task<T> ReadAsync<T>(HttpRequest request, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken)
    {
        using var document = await ReadDocumentAsync(request, allowMergePatch: false, cancellationToken);
        return Bind(document.RootElement, typeInfo);
    }

    /// <summary>
    /// Reads a POST or PUT body and validates it with <paramref name="validate"/> in one go: a member
    /// that cannot be read (a string for a number, a price with 3 decimals) is reported in the same
    /// 400 as every other field's errors, so a client fixes them all at once.
    /// </summary>
    public static async Task<TValid> ReadValidAsync<T, TValid>(
        HttpRequest request, JsonTypeInfo<T> typeInfo, Func<T, TValid> validate, CancellationToken cancellationToken)
    {
        using var document = await ReadDocumentAsync(request, allowMergePatch: false, cancellationToken);
        return BindValid(document.RootElement, typeInfo, validate);
    }

    /// <summary>
    /// Reads a PATCH body (JSON merge patch, RFC 7396) and applies it to the current writable state.
    /// </summary>
    public static async Task<T> ReadMergePatchAsync<T>(
        HttpRequest request, T current, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken) =>
        Bind(await ReadMergedAsync(request, current, typeInfo, cancellationToken), typeInfo);

    /// <summary>A merge patch applied to the current state and validated, reported like <see cref="ReadValidAsync"/>.</summary>
    public static async Task<TValid> ReadMergePatchValidAsync<T, TValid>(
        HttpRequest request, T current, JsonTypeInfo<T> typeInfo, Func<T, TValid> validate, CancellationToken cancellationToken) =>
        BindValid(await ReadMergedAsync(request, current, typeInfo, cancellationToken), typeInfo, validate);

    private static async Task<JsonElement> ReadMergedAsync<T>(HttpRequest request, T current, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken)
    {
        using var document = await ReadDocumentAsync(request, allowMergePatch: true, cancellationToken);
        var target = JsonSerializer.SerializeToNode(current, typeInfo)!.AsObject();
        Merge(target, JsonObject.Create(document.RootElement)!);
        return JsonSerializer.SerializeToElement(target, RestJson.Default.JsonNode);
    }

    private static async Task<JsonDocument> ReadDocumentAsync(HttpRequest request, bool allowMergePatch, CancellationToken cancellationToken)
    {
        if (request.ContentLength == 0 || (request.ContentLength is null && !request.Headers.ContainsKey("Transfer-Encoding")))
        {
            throw ApiProblem.BadRequest("A JSON request body is required");
        }
        EnsureMediaType(request, allowMergePatch);
        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(request.Body, DocumentOptions, cancellationToken);
        }
        catch (JsonException ex)
        {
            throw ApiProblem.BadRequest($"Malformed JSON: {Describe(ex)}");
        }
        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            document.Dispose();
            throw ApiProblem.BadRequest("The request body must be a JSON object");
        }
        return document;
    }

    private static void EnsureMediaType(HttpRequest request, bool allowMergePatch)
    {
        if (MediaTypeHeaderValue.TryParse(request.ContentType, out var type))
        {
            var name = type.MediaType.Value;
            var known = string.Equals(name, Json, StringComparison.OrdinalIgnoreCase)
                || (allowMergePatch && string.Equals(name, MergePatch, StringComparison.OrdinalIgnoreCase));
            var charset = type.Charset.Value;
            if (known && (charset is null || string.Equals(charset, "utf-8", StringComparison.OrdinalIgnoreCase)))
            {
                return;
            }
        }
        var accepted = allowMergePatch ? $"{Json} or {MergePatch}" : Json;
        throw new ApiProblem(415, $"Unsupported Content-Type: send {accepted} (UTF-8)");
    }

    /// <summary>Binds a parsed object, naming unknown members and every member of the wrong type.</summary>
    public static T Bind<T>(JsonElement element, JsonTypeInfo<T> typeInfo) => BindValid(element, typeInfo, value => value);

    /// <summary>
    /// Binds what can be read and validates it. The 400 names, in one answer, every unknown member,
    /// every member that could not be read, and the validation errors of the rest. (An unknown
    /// member inside a nested object is reported alone.)
    /// </summary>
    public static TValid BindValid<T, TValid>(JsonElement element, JsonTypeInfo<T> typeInfo, Func<T, TValid> validate)
    {
        var unknown = UnknownMembers(element, typeInfo);
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

    private static Dictionary<string, string[]> UnknownMembers(JsonElement element, JsonTypeInfo typeInfo, string prefix = "")
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
                foreach (var pair in UnknownMembers(property.Value, nested, $"{prefix}{property.Name}."))
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
                        foreach (var pair in UnknownMembers(item, itemType, $"{prefix}{property.Name}[{index}]."))
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

    private static void Merge(JsonObject target, JsonObject patch)
    {
        foreach (var (name, value) in patch.ToList())
        {
            if (value is null)
            {
                target.Remove(name);
            }
            else if (value is JsonObject patchObject && target[name] is JsonObject targetObject)
            {
                Merge(targetObject, patchObject);
            }
            else
            {
                target[name] = value.DeepClone();
            }
        }
    }

    /// <summary>Turns a JSON path such as <c>$.items[0].quantity</c> into <c>items[0].quantity</c>.</summary>
    private static string FieldOf(string? path) =>
        string.IsNullOrEmpty(path) || path == "$" ? "body" : path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path.TrimStart('$');

    /// <summary>What is wrong, in the client's terms: never the parser's .NET wording.</summary>
    private static string Describe(JsonException ex)
    {
        var what = ex.Message.Contains("depth", StringComparison.OrdinalIgnoreCase) ? $"nested deeper than {DocumentOptions.MaxDepth} levels"
            : ex.Message.Contains("uplicate", StringComparison.Ordinal) ? "a member appears twice in one object"
            : "invalid JSON";
        return ex.LineNumber is { } line && ex.BytePositionInLine is { } position ? $"{what} at line {line + 1}, byte {position + 1}" : what;
    }
}
