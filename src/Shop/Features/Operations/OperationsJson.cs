using System.Text.Json.Serialization;

namespace Shop.Features.Operations;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(Health))]
public sealed partial class OperationsJson : JsonSerializerContext;
