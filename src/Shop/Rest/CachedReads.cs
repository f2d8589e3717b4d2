using Microsoft.Extensions.Options;
using Shop.Infrastructure;
using Shop.Infrastructure.Auth;

namespace Shop.Rest;

/// <summary>
/// Answers an anonymous GET from memory before authentication, authorization and the endpoint's
/// binding, filters and serialiser run, when none of them could change the answer: the endpoint
/// is readable by anyone and marked with a finder, the request carries no credential (a bad one
/// must still get its 401), no query string unless the finder keys its answers by it (a listing
/// page), and an <c>Accept</c> that takes JSON as it is. A
/// finder that has no current answer in memory returns null and the request goes the usual way,
/// which loads and caches it. Request ids, security headers, the access log, error handling and
/// routing have run already, so the answer is the one the endpoint sends, byte for byte.
/// </summary>
public static class CachedReads
{
    /// <summary>Lets <see cref="UseCachedReads"/> answer this GET endpoint with what <paramref name="find"/> returns.</summary>
    /// <param name="byQuery">True when <paramref name="find"/> keys its answers by the query string; otherwise only a GET without one is looked up.</param>
    public static RouteHandlerBuilder AnsweredFromMemory(this RouteHandlerBuilder builder, Func<HttpContext, ValueTask<CachedAnswer?>> find, bool byQuery = false) =>
        builder.WithMetadata(new Finder(find, byQuery));

    public static IApplicationBuilder UseCachedReads(this IApplicationBuilder app)
    {
        var schemes = app.ApplicationServices.GetRequiredService<IOptions<CredentialSchemes>>().Value;
        return app.Use(async (context, next) =>
        {
            var request = context.Request;
            if (context.GetEndpoint()?.Metadata.GetMetadata<Finder>() is { } finder && HttpMethods.IsGet(request.Method)
                && (finder.ByQuery || !request.QueryString.HasValue) && Negotiation.TakesJsonPlainly(request) && !schemes.AnySent(request)
                && await finder.Find(context) is { } answer)
            {
                await answer.ExecuteAsync(context);
                return;
            }
            await PoolContinuations.RunAsync(next, context);
        });
    }

    private sealed record Finder(Func<HttpContext, ValueTask<CachedAnswer?>> Find, bool ByQuery);
}
