using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.Features;
using Shop.Infrastructure.Logging;

namespace Shop.Rest;

/// <summary>
/// Turns every failure into the contract's problem body: thrown <see cref="ApiProblem"/>s, Kestrel's
/// bad-request exceptions (a body over the limit), and unexpected exceptions (500 without internals).
/// </summary>
public sealed class ProblemExceptionHandler(ILogger<ProblemExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        if (context.Response.HasStarted)
        {
            return false;
        }
        switch (exception)
        {
            case ApiProblem problem:
                await Problems.WriteAsync(context, problem);
                break;
            case BadHttpRequestException bad:
                // Kestrel's own rejections (413 body too large, malformed framing) keep their status.
                await Problems.WriteAsync(context, bad.StatusCode, Problems.DefaultError(bad.StatusCode));
                break;
            case OperationCanceledException when context.RequestAborted.IsCancellationRequested:
                // The client went away; there is nobody to answer and nothing for an operator to do.
                context.Response.StatusCode = 499;
                break;
            default:
                logger.Error(exception, "Unhandled exception for {Method} {Path}", context.Request.Method, context.Request.Path.Value);
                await Problems.WriteAsync(context, 500, Problems.DefaultError(500));
                break;
        }
        return true;
    }
}

public static class ErrorHandlingExtensions
{
    public static IServiceCollection AddRestErrors(this IServiceCollection services)
    {
        services.AddExceptionHandler<ProblemExceptionHandler>();
        return services;
    }

    /// <summary>
    /// Installs the error plumbing: exceptions become problems, and any 4xx/5xx that a later part
    /// of the pipeline left without a body (routing's 404 and 405, authorization's 403) gets one.
    /// </summary>
    public static IApplicationBuilder UseRestErrors(this IApplicationBuilder app)
    {
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            // ProblemExceptionHandler answers every exception; this fallback only runs if it declined.
            ExceptionHandler = context => Problems.WriteAsync(context, 500, Problems.DefaultError(500)),
        });
        app.UseStatusCodePages(context => WriteEmptyErrorAsync(context.HttpContext));
        return app;
    }

    private static Task WriteEmptyErrorAsync(HttpContext context)
    {
        var status = context.Response.StatusCode;
        if (status == 405)
        {
            context.Response.Headers.Allow = HeadRequests.WithHead(context.Response.Headers.Allow.ToString());
        }
        if (status == 404 && context.GetEndpoint() is null)
        {
            return Problems.WriteAsync(context, 404, "No such resource");
        }
        return Problems.WriteAsync(context, status, Problems.DefaultError(status));
    }
}
