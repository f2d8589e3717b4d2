using Microsoft.OpenApi;

namespace Shop.Hosting;

public static class OpenApiSetup
{
    /// <summary>The OpenAPI document at <c>/openapi/v1.json</c>, generated from the endpoints' metadata.</summary>
    public static IServiceCollection AddShopOpenApi(this IServiceCollection services) =>
        services.AddOpenApi(options => options.AddDocumentTransformer((document, _, _) =>
        {
            document.Info = new OpenApiInfo
            {
                Title = "Shop API",
                Version = "v1",
                Description = "A goods shop: goods, users, sessions, API keys, orders and jobs. Errors are application/problem+json.",
            };
            return Task.CompletedTask;
        }));
}
