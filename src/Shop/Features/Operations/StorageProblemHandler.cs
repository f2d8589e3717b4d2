using Microsoft.AspNetCore.Diagnostics;
using Shop.Rest;

namespace Shop.Features.Operations;

/// <summary>
/// Answers a write that met a locked database or a full disk, and any request that met an unreachable
/// database server, with 503 and <c>Retry-After</c>. The write's transaction was rolled back, so
/// nothing is half-written, and nothing already accepted is touched. Registered ahead of the general problem handler, which would call it a 500.
/// </summary>
public sealed class StorageProblemHandler(StorageFailures failures) : IExceptionHandler
{
    public const string BusyRetryAfter = "5";
    public const string FullRetryAfter = "60";

    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        var kind = StorageFailures.Classify(exception);
        if (kind == StorageFailures.Kind.None || context.Response.HasStarted)
        {
            return false;
        }
        failures.Record(kind, exception);
        var problem = kind switch
        {
            StorageFailures.Kind.Full => new ApiProblem(503, "Storage is full: nothing was changed; try again later"),
            // A connection lost during a commit may have committed it: no "nothing was changed" here.
            StorageFailures.Kind.Unreachable => new ApiProblem(503, "The database is unreachable; try again later"),
            _ => new ApiProblem(503, "The database is locked by another writer: nothing was changed; try again"),
        };
        problem.Headers["Retry-After"] = kind == StorageFailures.Kind.Full ? FullRetryAfter : BusyRetryAfter;
        await Problems.WriteAsync(context, problem);
        return true;
    }
}
