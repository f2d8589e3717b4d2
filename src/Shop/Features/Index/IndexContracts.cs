using System.Text.Json.Serialization;

namespace Shop.Features.Index;

public sealed record ServiceIndex(string Name, string Version, string Api, string Docs);

public sealed record ApiIndex(IReadOnlyDictionary<string, string> Links);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(ServiceIndex))]
[JsonSerializable(typeof(ApiIndex))]
public sealed partial class IndexJson : JsonSerializerContext;
