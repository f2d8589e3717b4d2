namespace Shop.Rest;

/// <summary>
/// HEAD is GET without the body (RFC 9110 §9.3.2: every general-purpose server supports both).
/// The request is routed as a GET, so every GET route answers HEAD with the same status and
/// headers; Kestrel itself never sends a body for a HEAD request (it remembers the method it
/// parsed), so the answer stays bodiless. The method is put back afterwards, so the access log
/// and the metrics record HEAD.
/// </summary>
public static class HeadRequests
{
    public static IApplicationBuilder UseHeadAsGet(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        if (!HttpMethods.IsHead(context.Request.Method))
        {
            await next(context);
            return;
        }
        context.Request.Method = HttpMethods.Get;
        try
        {
            await next(context);
        }
        finally
        {
            context.Request.Method = HttpMethods.Head;
        }
    });

    /// <summary>Adds HEAD to an <c>Allow</c> header that lists GET, since every GET route answers HEAD too.</summary>
    public static string WithHead(string allow) =>
        allow.Contains(HttpMethods.Get, StringComparison.Ordinal) && !allow.Contains(HttpMethods.Head, StringComparison.Ordinal)
            ? string.Join(", ", allow.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Append(HttpMethods.Head).Order(StringComparer.Ordinal))
            : allow;
}
