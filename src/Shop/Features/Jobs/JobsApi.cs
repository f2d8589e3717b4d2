using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Shop.Infrastructure.Auth;
using Shop.Infrastructure.Data;
using Shop.Infrastructure.Queue;
using Shop.Rest;

namespace Shop.Features.Jobs;

/// <summary>A job as the API shows it. <c>error</c> says why a failed job failed (null otherwise).</summary>
public sealed record JobResponse(
    long Id, string Kind, string Status, DateTime CreatedAt, DateTime? StartedAt, DateTime? FinishedAt, JsonElement? Result, string? Error)
{
    public static JobResponse From(Job job) =>
        new(job.Id, job.Kind, job.Status, job.CreatedAt, job.StartedAt, job.FinishedAt,
            job.Result is null ? null : JsonDocument.Parse(job.Result).RootElement.Clone(), job.Error);
}

[JsonSerializable(typeof(JobResponse))]
public sealed partial class JobsJson : JsonSerializerContext
{
    /// <summary>The job records in the wire format (<see cref="WireJson"/>).</summary>
    public static JobsJson Wire { get; } = new(WireJson.Options());
}

/// <summary>The jobs module: <c>/api/v1/jobs/{id}</c>, the state of background work such as imports (admin only).</summary>
public static class JobsApi
{
    public static IServiceCollection AddJobs(this IServiceCollection services) =>
        services.AddJsonContext(JobsJson.Wire).AddLeasedQueue<JobQueue>();

    public static IEndpointRouteBuilder MapJobs(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapModule("/api/v1/jobs", "Jobs").RequireAuthorization(Policies.Admin);
        group.MapGet("/{id:long}", GetJob).WithSummary("Get a job: its status and result")
            .Produces<JobResponse>(200).WithProblems(401, 403, 404, 406);
        return routes;
    }

    private static async Task<JsonHttpResult<JobResponse>> GetJob(long id, ShopDb db, CancellationToken cancellationToken)
    {
        var job = await db.Set<Job>().FirstOrDefaultAsync(j => j.Id == id, cancellationToken)
            ?? throw ApiProblem.NotFound($"Job {id} not found");
        return TypedResults.Json(JobResponse.From(job), JobsJson.Wire.JobResponse);
    }
}
