using System.Buffers;

namespace Shop.Rest;

/// <summary>
/// Gives every request an id: the client's <c>X-Request-Id</c> when it is at most 128 safe
/// characters, else a new one. The id becomes <see cref="HttpContext.TraceIdentifier"/>, so error
/// bodies and log lines carry the same value, and it is echoed on every response.
/// </summary>
public sealed class RequestIdMiddleware(RequestDelegate next)
{
    public const string Header = "X-Request-Id";
    private const int MaxLength = 128;

    private static readonly SearchValues<char> Safe =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.:");

    public Task InvokeAsync(HttpContext context)
    {
        var supplied = context.Request.Headers[Header];
        // A new id needs to be unique, not secret (every answer shows it): the shared pseudo-random
        // generator makes one without the system call that Guid.NewGuid's secure random bytes cost.
        var id = supplied.Count == 1 && IsSafe(supplied[0]) ? supplied[0]! : Random.Shared.GetHexString(32, lowercase: true);
        context.TraceIdentifier = id;
        context.Response.Headers[Header] = id;
        return next(context);
    }

    internal static bool IsSafe(string? value) =>
        value is { Length: > 0 and <= MaxLength } && !value.AsSpan().ContainsAnyExcept(Safe);
}
