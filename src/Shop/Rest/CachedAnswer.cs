namespace Shop.Rest;

/// <summary>
/// A JSON answer serialised once and kept in memory with its headers: a read sends these bytes
/// (200, with <c>Content-Length</c>), or a 304 when it has an entity tag and <c>If-None-Match</c>
/// names it.
/// </summary>
/// <param name="headers">Headers the answer carries besides its entity tag (a page's <c>X-Total-Count</c> and <c>Link</c>).</param>
public sealed class CachedAnswer(byte[] json, string? etag, KeyValuePair<string, string>[]? headers = null) : IResult
{
    private const string ContentType = "application/json; charset=utf-8";

    /// <summary>The size of the answer's body, for the memory its keeper allows it.</summary>
    public int Length => json.Length;

    public Task ExecuteAsync(HttpContext context)
    {
        var response = context.Response;
        foreach (var (name, value) in headers ?? [])
        {
            response.Headers[name] = value;
        }
        if (etag is not null)
        {
            response.Headers.ETag = etag;
            if (ETags.NotModified(context.Request, etag))
            {
                response.StatusCode = StatusCodes.Status304NotModified;
                return Task.CompletedTask;
            }
        }
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = ContentType;
        response.ContentLength = json.Length;
        return response.Body.WriteAsync(json, context.RequestAborted).AsTask();
    }
}
