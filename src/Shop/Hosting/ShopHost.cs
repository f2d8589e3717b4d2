using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.Server.Kestrel.Core;
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
        if (InlineServing.Enabled)
        {
            builder.WebHost.UseSockets(sockets => sockets.UnsafePreferInlineScheduling = true);
        }
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
        builder.Services.AddSingleton(settings.ToQueueWorkerOptions());
        builder.Services.AddShopLogging(settings.ToLogOptions());
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
        app.UseRequestLogContext();
        app.UseMiddleware<RequestIdMiddleware>();
        app.UseSecurityHeaders();
        // Only a request that carries one of the headers has anything to apply: the middleware would
        // otherwise still copy the connection's addresses for every request.
        app.UseWhen(context => context.Request.Headers.ContainsKey(ForwardedHeadersDefaults.XForwardedForHeaderName)
            || context.Request.Headers.ContainsKey(ForwardedHeadersDefaults.XForwardedProtoHeaderName),
            forwarded => forwarded.UseForwardedHeaders());
        app.UseAccessLog();
        app.UseRestErrors();
        app.UseMiddleware<RequestLimitsMiddleware>();
        app.UseRouting();
        // After routing, which tells which endpoints' policies apply; before authentication, so a flood costs no lookups.
        app.UseRateLimiter();
        app.UseCachedReads();
        app.UseEmptyErrorBodies();
        app.UseShopAuthentication();
        app.UseAuthorization();
        return app;
    }
}
