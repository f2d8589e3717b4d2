using Microsoft.AspNetCore.WebUtilities;

namespace Shop.Rest;

/// <summary>Writes problem bodies; the one place that knows their shape and media type.</summary>
public static class Problems
{
    public const string MediaType = "application/problem+json";

    public static Task WriteAsync(HttpContext context, ApiProblem problem)
    {
        foreach (var (name, value) in problem.Headers)
        {
            context.Response.Headers[name] = value;
        }
        return WriteAsync(context, problem.Status, problem.Error, problem.Errors);
    }

    public static Task WriteAsync(
        HttpContext context, int status, string error, IReadOnlyDictionary<string, string[]>? errors = null)
    {
        var response = context.Response;
        response.StatusCode = status;
        response.ContentType = MediaType;
        // An error answer must never be cached, nor keep the validators of the resource it failed on.
        response.Headers.CacheControl = "no-store";
        response.Headers.Remove("ETag");
        // The exception handler clears the response before it gets here, so the id is set again.
        response.Headers[RequestIdMiddleware.Header] = context.TraceIdentifier;
        var body = new ProblemBody(error, status, TitleFor(status), context.TraceIdentifier, errors);
        return response.WriteAsJsonAsync(body, RestJson.Default.ProblemBody, Problems.MediaType, context.RequestAborted);
    }

    public static string TitleFor(int status) =>
        ReasonPhrases.GetReasonPhrase(status) is { Length: > 0 } phrase ? phrase : "Error";

    /// <summary>The person-readable sentence used when nothing more specific is known.</summary>
    public static string DefaultError(int status) => status switch
    {
        400 => "Bad request",
        401 => "Authentication required",
        403 => "You are not allowed to do this",
        404 => "Not found",
        405 => "Method not allowed",
        406 => "The Accept header asks for a type this resource cannot produce",
        413 => "Request body too large",
        414 => "Request target too long",
        415 => "Unsupported Content-Type",
        431 => "Request headers too large",
        503 => "Service unavailable",
        >= 500 => "Internal server error",
        _ => TitleFor(status),
    };
}
