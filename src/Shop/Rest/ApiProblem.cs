namespace Shop.Rest;

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
