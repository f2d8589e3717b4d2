using Microsoft.AspNetCore.Diagnostics;
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
