namespace Shop.Infrastructure.Logging;

/// <summary>
/// The request that the code running now serves, for <see cref="RequestLogEnricher"/> to name in every
/// event logged on its behalf. ASP.NET Core's <c>IHttpContextAccessor</c> does the same, but while one
/// is registered ASP.NET Core stops reusing each connection's <c>HttpContext</c> and allocates it anew
/// for every request; this keeps the reuse.
/// </summary>
public static class RequestLogContext
{
    private static readonly AsyncLocal<Holder?> Current = new();

    /// <summary>The request being served, or null outside one (start-up, background work, after the answer).</summary>
    public static HttpContext? HttpContext => Current.Value?.Context;

    /// <summary>First in the pipeline, so that everything after it, error handling included, logs with the request.</summary>
    public static IApplicationBuilder UseRequestLogContext(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var holder = new Holder { Context = context };
        Current.Value = holder;
        try
        {
            await next(context);
        }
        finally
        {
            // Work that outlives the request (a task it started) must not find the next request that
            // reuses this context object.
            holder.Context = null;
        }
    });

    private sealed class Holder
    {
        public HttpContext? Context;
    }
}
