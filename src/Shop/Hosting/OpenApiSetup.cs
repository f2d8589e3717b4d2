using Microsoft.AspNetCore.Authorization;
using Microsoft.OpenApi;
using Shop.Features.ApiKeys;

namespace Shop.Hosting;

public static class OpenApiSetup
{
    public const string BearerScheme = "bearer";
    public const string ApiKeyScheme = "apiKey";

    /// <summary>
    /// The OpenAPI document at <c>/openapi/v1.json</c>, generated from the endpoints' metadata. It
    /// declares both ways to authenticate and, on each operation behind a policy, that either one
    /// is needed, so that <c>/docs</c> offers to paste a token or key and sends it with the calls.
    /// </summary>
    public static IServiceCollection AddShopOpenApi(this IServiceCollection services) =>
        services.AddOpenApi(options =>
        {
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Info = new OpenApiInfo
                {
                    Title = "Shop API",
                    Version = "v1",
                    Description = "A goods shop: goods, users, sessions, API keys, orders and jobs. Errors are application/problem+json.",
                };
                // Relative, never the request's Host header: a document cached behind a proxy must not
                // point clients at whatever host a request claimed.
                document.Servers = [new OpenApiServer { Url = "/" }];
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes = new Dictionary<string, IOpenApiSecurityScheme>
                {
                    [BearerScheme] = new OpenApiSecurityScheme
                    {
                        Type = SecuritySchemeType.Http,
                        Scheme = "bearer",
                        Description = "A session token from POST /api/v1/sessions",
                    },
                    [ApiKeyScheme] = new OpenApiSecurityScheme
                    {
                        Type = SecuritySchemeType.ApiKey,
                        In = ParameterLocation.Header,
                        Name = ApiKeyHandler.Header,
                        Description = "A key from POST /api/v1/api-keys",
                    },
                };
                return Task.CompletedTask;
            });
            options.AddOperationTransformer((operation, context, _) =>
            {
                var metadata = context.Description.ActionDescriptor.EndpointMetadata;
                if (metadata.OfType<IAuthorizeData>().Any() && !metadata.OfType<IAllowAnonymous>().Any())
                {
                    // Two requirements: either scheme alone is enough.
                    operation.Security =
                    [
                        new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(BearerScheme, context.Document)] = [] },
                        new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(ApiKeyScheme, context.Document)] = [] },
                    ];
                }
                // A credential that is sent but bad is a 401 on every route but log in and register
                // (AuthServices.UseShopAuthentication), public reads included.
                if (!metadata.OfType<IAllowAnonymous>().Any() && operation.Responses is { } responses && !responses.ContainsKey("401")
                    && responses.Values.FirstOrDefault(r => r.Content?.ContainsKey("application/problem+json") == true) is { } problem)
                {
                    responses["401"] = new OpenApiResponse { Description = "Unauthorized: a credential was sent and is not valid", Content = problem.Content };
                }
                return Task.CompletedTask;
            });
        });
}
