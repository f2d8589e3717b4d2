using System.Text.Json;
using System.Text.Json.Serialization;

namespace Shop.Rest;

/// <summary>
/// Source-generated JSON for the shared REST types: the problem body, which leaves out members
/// that are null (<c>errors</c>), and the document types the body reader works on. Each module has
/// a context of its own for its records, on <see cref="WireJson"/>.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    NumberHandling = JsonNumberHandling.Strict,
    MaxDepth = 32)]
[JsonSerializable(typeof(ProblemBody))]
[JsonSerializable(typeof(Dictionary<string, string>))]
[JsonSerializable(typeof(JsonElement))]
[JsonSerializable(typeof(System.Text.Json.Nodes.JsonNode))]
public sealed partial class RestJson : JsonSerializerContext;
