using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http.Json;

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
            options.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
            options.SerializerOptions.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
            options.SerializerOptions.Converters.Add(new UtcTimestampConverter());
            options.SerializerOptions.TypeInfoResolverChain.Add(RestJson.Default);
        });

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

    /// <summary>The errors any collection GET can answer.</summary>
    public static TBuilder WithCollectionProblems<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder => builder.WithProblems(400, 406);

    /// <summary>The errors any authenticated write can answer.</summary>
    public static TBuilder WithWriteProblems<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder => builder.WithProblems(400, 401, 403, 406, 413, 415);
}
