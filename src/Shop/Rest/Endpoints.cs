using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Http.Metadata;

namespace Shop.Rest;

/// <summary>Endpoint conventions shared by every module: JSON contexts and the documented error answers.</summary>
public static class Endpoints
{
    /// <summary>
    /// Makes a module's source-generated JSON types known to the framework (typed results and the
    /// OpenAPI generator), with the service's wire conventions.
    /// </summary>
    public static IServiceCollection AddJsonContext(this IServiceCollection services, IJsonTypeInfoResolver context)
    {
        services.Configure<JsonOptions>(options => options.SerializerOptions.TypeInfoResolverChain.Insert(0, context));
        return services;
    }

    public static IServiceCollection AddRestJson(this IServiceCollection services) =>
        services.ConfigureHttpJsonOptions(options =>
        {
            WireJson.Configure(options.SerializerOptions).TypeInfoResolverChain.Add(RestJson.Default);
        });

    /// <summary>
    /// A module's route group (its blueprint): the URL prefix, the OpenAPI tag and content
    /// negotiation, set once for all its endpoints. The collection itself is mapped as <c>""</c>
    /// under the prefix, which leaves a trailing slash in its route template; metrics and traces
    /// name the route without it (<c>/api/v1/goods</c>, the path clients call).
    /// </summary>
    public static RouteGroupBuilder MapModule(this IEndpointRouteBuilder routes, string prefix, string tag)
    {
        var group = routes.MapGroup(prefix).WithTags(tag).WithNegotiation();
        ((IEndpointConventionBuilder)group).Add(endpoint =>
        {
            if (endpoint is RouteEndpointBuilder { RoutePattern.RawText: { Length: > 1 } template } && template.EndsWith('/'))
            {
                endpoint.Metadata.Add(new DiagnosticRoute(template.TrimEnd('/')));
            }
        });
        return group;
    }

    /// <summary>The route name ASP.NET Core's request metrics use (<c>http.route</c>); the last one added wins.</summary>
    private sealed record DiagnosticRoute(string Route) : IRouteDiagnosticsMetadata;

    /// <summary>Documents that an endpoint may answer with these problem statuses.</summary>
    public static TBuilder WithProblems<TBuilder>(this TBuilder builder, params int[] statuses)
        where TBuilder : IEndpointConventionBuilder
    {
        foreach (var status in statuses)
        {
            builder.WithMetadata(new ProducesResponseTypeMetadata(status, typeof(ProblemBody), [Problems.MediaType]));
        }
        return builder;
    }

    /// <summary>
    /// A collection GET: a JSON page of <typeparamref name="T"/> or, as the contract wants of every
    /// collection, the same rows as CSV (the handler returns a <see cref="PagedResult{T}"/>), and
    /// the errors any collection can answer. One call, so no collection can offer CSV in its
    /// document and refuse it with a 406.
    /// </summary>
    public static RouteHandlerBuilder ProducesCollection<T>(this RouteHandlerBuilder builder) =>
        builder.WithMetadata(new ProducesCsvAttribute())
            .Produces<Page<T>>(200, "application/json", Negotiation.Csv)
            .WithProblems(400, 406);

    /// <summary>The errors any authenticated write can answer.</summary>
    public static TBuilder WithWriteProblems<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder => builder.WithProblems(400, 401, 403, 406, 413, 415);
}
