using Microsoft.AspNetCore.Http.Features;

namespace Shop.Rest;

/// <summary>
/// The request-size limits that Kestrel would otherwise enforce itself with an empty answer. Kestrel's
/// own limits are set higher (<see cref="HardTargetLength"/>, <see cref="HardHeaderBytes"/>) so that
/// requests between the two get the contract's problem body here; only grossly oversized requests
/// still meet Kestrel's bare rejection (in production nginx answers those, see deploy/nginx).
/// </summary>
public sealed class RequestLimitsMiddleware(RequestDelegate next)
{
    public const int MaxTargetLength = 8 * 1024;
    public const int MaxHeaderBytes = 32 * 1024;
    // 1 MiB: far above anything a client sends by mistake, so the contract's problem body answers
    // every "too long" a client or a test can plausibly make; Kestrel's bare answer is left for
    // megabytes of abuse (and behind nginx, nginx refuses those first).
    public const int HardTargetLength = 1024 * 1024;
    public const int HardHeaderBytes = 1024 * 1024;
    public const int MaxHeaderCount = 100;
    public const int HardHeaderCount = 1000;

    public Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        if (request.ContentLength > context.Features.Get<IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize)
        {
            context.Response.OnStarting(CloseWhenTheBodyIsOverItsLimit, context);
        }
        if (request.Path.Value?.Length + request.QueryString.Value?.Length > MaxTargetLength)
        {
            return Problems.WriteAsync(context, StatusCodes.Status414UriTooLong, $"Request target longer than {MaxTargetLength} characters");
        }
        var headerBytes = 0;
        foreach (var (name, values) in request.Headers)
        {
            headerBytes += name.Length;
            foreach (var value in values)
            {
                headerBytes += value?.Length ?? 0;
            }
        }
        return headerBytes > MaxHeaderBytes
            ? Problems.WriteAsync(context, StatusCodes.Status431RequestHeaderFieldsTooLarge, $"Request headers larger than {MaxHeaderBytes / 1024} KiB")
            : request.Headers.Count > MaxHeaderCount
            ? Problems.WriteAsync(context, StatusCodes.Status431RequestHeaderFieldsTooLarge, $"More than {MaxHeaderCount} request header fields")
            : next(context);
    }

    /// <summary>
    /// Kestrel does not read a body over its limit to the end, so after an answer that left it unread
    /// (a 401 before an upload, say) the connection carries the rest of it; "close" keeps a client
    /// or nginx from sending its next request there. An endpoint may have raised the limit by now.
    /// </summary>
    private static Task CloseWhenTheBodyIsOverItsLimit(object state)
    {
        var context = (HttpContext)state;
        if (context.Request.ContentLength > context.Features.Get<IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize)
        {
            context.Response.Headers.Connection = "close";
        }
        return Task.CompletedTask;
    }
}
