using Microsoft.AspNetCore.WebUtilities;

namespace Shop.Rest;

/// <summary>
/// The body of every 4xx/5xx answer (RFC 9457 problem+json with the contract's extra members).
/// </summary>
public sealed record ProblemBody(
    string Error,
    int Status,
    string Title,
    string RequestId,
    IReadOnlyDictionary<string, string[]>? Errors = null);

/// <summary>
/// Thrown by handlers and shared plumbing to answer with a problem. Throwing keeps handlers short
/// (like Flask's abort); the exception only costs on the error path.
/// </summary>
public sealed class ApiProblem(int status, string error, IReadOnlyDictionary<string, string[]>? errors = null)
    : Exception(error)
{
    public int Status { get; } = status;
    public string Error { get; } = error;
    public IReadOnlyDictionary<string, string[]>? Errors { get; } = errors;

    /// <summary>Extra response headers such as Allow or Retry-After.</summary>
    public Dictionary<string, string> Headers { get; } = [];

    public static ApiProblem NotFound(string what = "Not found") => new(404, what);

    public static ApiProblem BadRequest(string error) => new(400, error);

    public static ApiProblem Validation(string field, string message) =>
        new(400, "Validation failed", new Dictionary<string, string[]> { [field] = [message] });

    public static ApiProblem Validation(IReadOnlyDictionary<string, string[]> errors) =>
        new(400, "Validation failed", errors);
}

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
