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
