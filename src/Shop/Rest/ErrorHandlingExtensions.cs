using Microsoft.AspNetCore.Diagnostics;

namespace Shop.Rest;

public static class ErrorHandlingExtensions
{
    public static IServiceCollection AddRestErrors(this IServiceCollection services)
    {
        services.AddExceptionHandler<ProblemExceptionHandler>();
        return services;
    }

    /// <summary>Outermost of the error plumbing: every exception, wherever it is thrown, becomes a problem.</summary>
    public static IApplicationBuilder UseRestErrors(this IApplicationBuilder app) =>
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            // ProblemExceptionHandler answers every exception; this fallback only runs if it declined.
            ExceptionHandler = context => Problems.WriteAsync(context, 500, Problems.DefaultError(500)),
        });

    /// <summary>
    /// Gives a body to any 4xx/5xx that a later part of the pipeline left without one (routing's 404
    /// and 405, authorization's 403). It goes after the answers from memory, which are whole: the
    /// status-code-pages middleware allocates a dictionary for every request it sees.
    /// </summary>
    public static IApplicationBuilder UseEmptyErrorBodies(this IApplicationBuilder app) =>
        app.UseStatusCodePages(context => WriteEmptyErrorAsync(context.HttpContext));

    private static Task WriteEmptyErrorAsync(HttpContext context)
    {
        var status = context.Response.StatusCode;
        if (status == 404 && context.GetEndpoint() is null)
        {
            return Problems.WriteAsync(context, 404, "No such resource");
        }
        return Problems.WriteAsync(context, status, Problems.DefaultError(status));
    }
}
