using Microsoft.AspNetCore.OpenApi;

namespace Shop.Rest;

/// <summary>
/// HEAD is GET without the body (RFC 9110 §9.3.2: every general-purpose server supports both).
/// One route convention lets every GET route match HEAD as well, so a HEAD runs the GET handler
/// with the same status and headers, and routing's 405 lists HEAD wherever GET is allowed. Kestrel
/// never sends a body for a HEAD request, so the answer stays bodiless. The OpenAPI document and
/// <c>shop routes</c> list the GET alone, as Flask's url_map does.
/// </summary>
public static class HeadRequests
{
    /// <summary>Every GET route in <paramref name="routes"/> (a group holding all of them) also answers HEAD.</summary>
    public static TBuilder WithHeadOnEveryGet<TBuilder>(this TBuilder routes)
        where TBuilder : IEndpointConventionBuilder
    {
        routes.Add(endpoint =>
        {
            // The last method metadata is the one routing matches on.
            if (endpoint.Metadata.OfType<IHttpMethodMetadata>().LastOrDefault() is { } methods
                && methods.HttpMethods.Contains(HttpMethods.Get) && !methods.HttpMethods.Contains(HttpMethods.Head))
            {
                endpoint.Metadata.Add(new GetAndHead(methods));
            }
        });
        return routes;
    }

    /// <summary>Keeps the HEAD twins of GET operations out of the OpenAPI document.</summary>
    public static IServiceCollection AddHeadRequests(this IServiceCollection services) =>
        services.ConfigureAll<OpenApiOptions>(options =>
        {
            var include = options.ShouldInclude;
            options.ShouldInclude = description => description.HttpMethod != HttpMethods.Head && include(description);
        });

    /// <summary>
    /// The methods of a GET route plus HEAD. Not an <see cref="HttpMethodMetadata"/>, so the routes
    /// table, which reads that class, keeps listing the route as GET.
    /// </summary>
    private sealed class GetAndHead(IHttpMethodMetadata get) : IHttpMethodMetadata
    {
        public bool AcceptCorsPreflight => get.AcceptCorsPreflight;

        public IReadOnlyList<string> HttpMethods { get; } = [.. get.HttpMethods, Microsoft.AspNetCore.Http.HttpMethods.Head];
    }
}
