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
        return JsonBinding.Bind(document.RootElement, typeInfo);
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
        return JsonBinding.BindValid(document.RootElement, typeInfo, validate);
    }

    /// <summary>
    /// Reads a PATCH body (JSON merge patch, RFC 7396) and applies it to the current writable state.
    /// </summary>
    public static async Task<T> ReadMergePatchAsync<T>(
        HttpRequest request, T current, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken) =>
        JsonBinding.Bind(await ReadMergedAsync(request, current, typeInfo, cancellationToken), typeInfo);

    /// <summary>A merge patch applied to the current state and validated, reported like <see cref="ReadValidAsync"/>.</summary>
    public static async Task<TValid> ReadMergePatchValidAsync<T, TValid>(
        HttpRequest request, T current, JsonTypeInfo<T> typeInfo, Func<T, TValid> validate, CancellationToken cancellationToken) =>
        JsonBinding.BindValid(await ReadMergedAsync(request, current, typeInfo, cancellationToken), typeInfo, validate);

    private static async Task<JsonElement> ReadMergedAsync<T>(HttpRequest request, T current, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken)
    {
        using var document = await ReadDocumentAsync(request, allowMergePatch: true, cancellationToken);
        var target = JsonSerializer.SerializeToNode(current, typeInfo)!.AsObject();
        JsonMergePatch.Apply(target, JsonObject.Create(document.RootElement)!);
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

    /// <summary>What is wrong, in the client's terms: never the parser's .NET wording.</summary>
    private static string Describe(JsonException ex)
    {
        var what = ex.Message.Contains("depth", StringComparison.OrdinalIgnoreCase) ? $"nested deeper than {DocumentOptions.MaxDepth} levels"
            : ex.Message.Contains("uplicate", StringComparison.Ordinal) ? "a member appears twice in one object"
            : "invalid JSON";
        return ex.LineNumber is { } line && ex.BytePositionInLine is { } position ? $"{what} at line {line + 1}, byte {position + 1}" : what;
    }
}
