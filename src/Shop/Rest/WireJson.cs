using System.Text.Json;
using System.Text.Json.Serialization;

namespace Shop.Rest;

/// <summary>
/// The wire format of every contract record, written once: snake_case member names, unknown
/// members refused, timestamps as the contract writes them. Each module's source-generated context
/// is built on these options (<c>GoodsJson.Wire</c>), and so are the framework's own JSON options.
/// </summary>
public static class WireJson
{
    /// <summary>New options for one context (a context binds, and so freezes, the options it is given).</summary>
    public static JsonSerializerOptions Options() => Configure(new JsonSerializerOptions());

    public static JsonSerializerOptions Configure(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
        options.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
        options.Converters.Add(new UtcTimestampConverter());
        return options;
    }
}
