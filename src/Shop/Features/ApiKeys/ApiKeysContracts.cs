using System.Text.Json.Serialization;
using Shop.Rest;

namespace Shop.Features.ApiKeys;

/// <summary>The body of <c>POST /api/v1/api-keys</c>.</summary>
public sealed record ApiKeyRequest(string? Name);

/// <summary>A key as listed: no secret.</summary>
public sealed record ApiKeyResponse(long Id, string Name, string Prefix, DateTime CreatedAt)
{
    public static ApiKeyResponse From(ApiKey k) => new(k.Id, k.Name, k.Prefix, k.CreatedAt);
}

/// <summary>A key just created: the only answer that ever shows <see cref="Key"/>.</summary>
public sealed record CreatedApiKey(long Id, string Name, string Key, string Prefix, DateTime CreatedAt);

[JsonSerializable(typeof(ApiKeyRequest))]
[JsonSerializable(typeof(ApiKeyResponse))]
[JsonSerializable(typeof(CreatedApiKey))]
[JsonSerializable(typeof(Page<ApiKeyResponse>))]
public sealed partial class ApiKeysJson : JsonSerializerContext
{
    /// <summary>The API key records in the wire format (<see cref="WireJson"/>).</summary>
    public static ApiKeysJson Wire { get; } = new(WireJson.Options());
}
