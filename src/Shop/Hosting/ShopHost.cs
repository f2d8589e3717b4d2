using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Scalar.AspNetCore;
using Shop.Infrastructure.Logging;
using Shop.Rest;

namespace Shop.Hosting;

/// <summary>The web host: Kestrel and its limits, settings, logging, and the middleware order.</summary>
public static class ShopHost
{
    public const long MaxBodyBytes = 1024 * 1024;
    private const int MaxTargetLength = 8 * 1024;

    public static WebApplicationBuilder CreateBuilder(ShopSettings settings)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.WebHost.UseUrls([.. settings.Urls]);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = MaxBodyBytes;
            // Kestrel's own rejections have no body; with a generous line limit here, the request
            // target limit is enforced below where the answer can be the contract's problem body.
            kestrel.Limits.MaxRequestLineSize = 64 * 1024;
        });
        builder.Services.AddSingleton(settings);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddShopLogging(settings);
        builder.Services.Configure<ForwardedHeadersOptions>(options =>
        {
            options.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            options.KnownProxies.Clear();
            options.KnownIPNetworks.Clear();
            foreach (var proxy in settings.TrustedProxies)
            {
                options.KnownProxies.Add(proxy);
            }
        });
        return builder;
    }

    /// <summary>The middleware every request goes through, outermost first.</summary>
    public static WebApplication UseShopPipeline(this WebApplication app)
    {
        app.UseMiddleware<RequestIdMiddleware>();
        app.UseForwardedHeaders();
        app.UseAccessLog();
        app.UseRestErrors();
        app.Use((context, next) =>
        {
            var length = context.Request.Path.Value?.Length + context.Request.QueryString.Value?.Length;
            return length > MaxTargetLength
                ? Problems.WriteAsync(context, StatusCodes.Status414UriTooLong, $"Request target longer than {MaxTargetLength} characters")
                : next(context);
        });
        app.UseAuthentication();
        app.UseAuthorization();
        return app;
    }

    /// <summary><c>/openapi/v1.json</c> and the interactive reference at <c>/docs</c>.</summary>
    public static WebApplication MapDocs(this WebApplication app)
    {
        app.MapOpenApi().ExcludeFromDescription();
        // Everything the page needs comes from this service (the script is bundled in the Scalar package):
        // no web fonts from Scalar's CDN and no telemetry, so /docs works on a closed network.
        app.MapScalarApiReference("/docs", options => options.WithTitle("Shop API").ExpandAllTags().DisableDefaultFonts().DisableTelemetry())
            .ExcludeFromDescription();
        return app;
    }
}
