using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace Shop.Tests.Support;

/// <summary>Small helpers for JSON over HTTP in tests.</summary>
public static class Http
{
    public static StringContent Json(string json, string mediaType = "application/json") =>
        new(json, Encoding.UTF8, mediaType);

    public static StringContent Json(JsonNode node) => Json(node.ToJsonString());

    public static async Task<JsonNode> ReadJsonAsync(this HttpResponseMessage response) =>
        JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

    /// <summary>Asserts the status and the contract's problem body, and returns the body.</summary>
    public static async Task<JsonNode> AssertProblemAsync(this HttpResponseMessage response, int status, string? error = null)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == status, $"expected {status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var body = JsonNode.Parse(text)!;
        Assert.Equal(status, (int)body["status"]!);
        Assert.False(string.IsNullOrWhiteSpace((string?)body["error"]));
        Assert.Equal(response.Headers.GetValues("X-Request-Id").Single(), (string?)body["request_id"]);
        if (error is not null)
        {
            Assert.Equal(error, (string?)body["error"]);
        }
        return body;
    }

    public static HttpRequestMessage Request(HttpMethod method, string uri, string? json = null, params (string Name, string Value)[] headers)
    {
        var request = new HttpRequestMessage(method, uri);
        if (json is not null)
        {
            request.Content = Json(json);
        }
        foreach (var (name, value) in headers)
        {
            if (!request.Headers.TryAddWithoutValidation(name, value))
            {
                request.Content?.Headers.TryAddWithoutValidation(name, value);
            }
        }
        return request;
    }

    public static MediaTypeWithQualityHeaderValue Accept(string mediaType) => new(mediaType);
}
