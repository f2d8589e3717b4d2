using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Shop.Infrastructure.Auth;
using Shop.Infrastructure.Data;
using Shop.Infrastructure.Queue;
using Shop.Rest;

namespace Shop.Features.Jobs;

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
