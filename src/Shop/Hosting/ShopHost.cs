using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Scalar.AspNetCore;
using Shop.Infrastructure.Auth;
using Shop.Infrastructure.Logging;
using Shop.Rest;

namespace Shop.Hosting;

/// <summary>The web host: Kestrel and its limits, settings, logging, and the middleware order.</summary>
public static class ShopHost
{
    public const long MaxBodyBytes = 1024 * 1024;

    public static WebApplicationBuilder CreateBuilder(ShopSettings settings)
    {
        // The content root is the application's own folder, not the working directory: ASP.NET
        // Core watches its content root (recursively) for appsettings.json changes, and the working
        // directory is where shop.db and the logs usually are, so every commit and every log line
        // woke a file-system watcher (7 % of the CPU of a GET). Shop reads its settings itself.
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory });
        builder.WebHost.UseUrls([.. settings.Urls]);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = MaxBodyBytes;
            // Kestrel's own rejections have no body, so its limits sit above the ones that
            // RequestLimitsMiddleware enforces with the contract's problem body.
            kestrel.Limits.MaxRequestLineSize = RequestLimitsMiddleware.HardTargetLength;
            kestrel.Limits.MaxRequestHeadersTotalSize = RequestLimitsMiddleware.HardHeaderBytes;
            kestrel.Limits.MaxRequestHeaderCount = RequestLimitsMiddleware.HardHeaderCount;
        });
        builder.Services.AddSingleton(settings);
        // What a stopping process may take to finish its requests and claimed work (TERM, or a master replacing a worker).
        builder.Services.Configure<HostOptions>(options => options.ShutdownTimeout = settings.GracefulTimeout);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddShopLogging(settings);
        builder.Services.AddDraining(settings);
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
        app.UseMiddleware<RequestLimitsMiddleware>();
        app.UseHeadAsGet();
        // Routing after the HEAD rewrite, so a HEAD finds its GET route.
        app.UseRouting();
        app.UseShopAuthentication();
        app.UseAuthorization();
        return app;
    }

    /// <summary><c>/openapi/v1.json</c> and the interactive reference at <c>/docs</c>.</summary>
    public static WebApplication MapDocs(this WebApplication app)
    {
        // One document, at one fixed path: any other /openapi/... is an ordinary 404 with the problem body.
        app.MapOpenApi("/openapi/v1.json").ExcludeFromDescription();
        // The bearer scheme comes pre-selected in the page, so a person pastes a token and tries calls.
        // Everything the page needs comes from this service (the script is bundled in the Scalar package):
        // no web fonts from Scalar's CDN and no telemetry, so /docs works on a closed network.
        app.MapScalarApiReference("/docs", options => options.WithTitle("Shop API").AddPreferredSecuritySchemes(OpenApiSetup.BearerScheme)
                .ExpandAllTags().DisableDefaultFonts().DisableTelemetry())
            .ExcludeFromDescription();
        return app;
    }
}
