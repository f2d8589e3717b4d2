using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using Shop.Infrastructure.Auth;

namespace Shop.Rest;

/// <summary>
/// Headers that keep answers from being misread or kept where they should not be:
/// <c>X-Content-Type-Options: nosniff</c> on every answer; <c>Cache-Control: no-store</c> on every
/// answer to a request that carries a credential (<c>Authorization</c>, <c>X-API-Key</c>) and on every
/// answer to a write (a login's token, a new API key), while anonymous reads keep their ETag caching;
/// <c>Vary</c> naming what every answer but the docs page depends on (<c>Accept</c>, which every route
/// negotiates, and the credential headers, which decide between 200 and 401 and whose data is shown); on <c>/docs</c> a Content-Security-Policy that
/// allows only the service itself and forbids framing.
/// </summary>
public static class SecurityHeaders
{
    /// <summary>
    /// Scalar's page needs its inline start-up script and inline styles; everything else comes from
    /// the service itself, and no other site may frame the page.
    /// </summary>
    public const string DocsPolicy =
        "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
        + "font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

    private static readonly string[] AnswerVary = ["Accept", "Authorization", "X-API-Key"];
    private static readonly string AnswerVaryText = string.Join(", ", AnswerVary);

    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app)
    {
        var schemes = app.ApplicationServices.GetRequiredService<IOptions<CredentialSchemes>>().Value;
        // One callback for every request, handed the context as its state: nothing to allocate per request.
        Func<object, Task> onStarting = state =>
        {
            Apply((HttpContext)state, schemes);
            return Task.CompletedTask;
        };
        return app.Use((context, next) =>
        {
            context.Response.OnStarting(onStarting, context);
            return next(context);
        });
    }

    private static void Apply(HttpContext context, CredentialSchemes schemes)
    {
        var request = context.Request;
        var headers = context.Response.Headers;
        headers.XContentTypeOptions = "nosniff";
        if (schemes.AnySent(request) || !(HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method)))
        {
            headers.CacheControl = "no-store";
        }
        if (request.Path.StartsWithSegments("/docs"))
        {
            headers.ContentSecurityPolicy = DocsPolicy;
            headers.XFrameOptions = "DENY";
        }
        else
        {
            var vary = headers.Vary;
            headers.Vary = vary.Count == 0 ? AnswerVaryText : Merge(vary, AnswerVary);
        }
    }

    private static StringValues Merge(StringValues present, string[] names)
    {
        var all = present.SelectMany(v => (v ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)).ToList();
        all.AddRange(names.Where(n => !all.Contains(n, StringComparer.OrdinalIgnoreCase)));
        return string.Join(", ", all);
    }
}
