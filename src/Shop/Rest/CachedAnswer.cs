namespace Shop.Rest;

/// <summary>
/// A resource's JSON answer serialised once and kept in memory with its entity tag: a read sends
/// these bytes (200, with <c>Content-Length</c>) or a 304 when <c>If-None-Match</c> names the tag.
/// </summary>
public sealed class CachedAnswer(byte[] json, string etag) : IResult
{
    private const string ContentType = "application/json; charset=utf-8";

    public Task ExecuteAsync(HttpContext context)
    {
        var response = context.Response;
        response.Headers.ETag = etag;
        if (ETags.NotModified(context.Request, etag))
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            return Task.CompletedTask;
        }
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = ContentType;
        response.ContentLength = json.Length;
        return response.Body.WriteAsync(json, context.RequestAborted).AsTask();
    }
}
