using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Net.Http.Headers;
using Shop.Features.Jobs;
using Shop.Infrastructure.Auth;
using Shop.Infrastructure.Data;
using Shop.Infrastructure.Logging;
using Shop.Rest;

namespace Shop.Features.Goods.Imports;

/// <summary>
/// <c>POST /api/v1/goods/imports</c> (admin): a CSV file or a JSON array of goods, up to 20 MiB and
/// 100,000 rows, checked as a whole and queued as a job; the answer is 202 with the job's Location.
/// </summary>
public static class GoodsImportApi
{
    public const long MaxBytes = 20 * 1024 * 1024;

    public static IServiceCollection AddGoodsImports(this IServiceCollection services) =>
        services.AddJsonContext(ImportJson.Wire).AddSingleton<IJobHandler, GoodsImportJob>();

    public static IEndpointRouteBuilder MapGoodsImports(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapModule("/api/v1/goods/imports", "Goods")
            .RequireAuthorization(Policies.Admin).WithWriteProblems();
        group.MapPost("", ImportGoods).WithSummary("Import goods (CSV or a JSON array); rows upsert by sku in a background job")
            .Accepts<GoodsWrite[]>(GoodsImportParser.Csv, GoodsImportParser.Json).Produces<JobResponse>(202)
            // Routing applies the limit as soon as it picks the endpoint, so an upload answered early
            // (401, 403, 415) is still read to its end within 20 MiB and its connection stays usable.
            .WithMetadata(new RequestSizeLimitAttribute(MaxBytes));
        return routes;
    }

    private static async Task<JsonHttpResult<JobResponse>> ImportGoods(
        HttpContext context, ShopDb db, JobQueue jobs, ILoggerFactory logs, CancellationToken cancellationToken)
    {
        var format = FormatOf(context.Request);
        var data = await ReadBodyAsync(context, cancellationToken);
        int rows;
        try
        {
            rows = GoodsImportParser.Parse(data, format).Count();
        }
        catch (ImportFormatException ex)
        {
            throw new ApiProblem(ex.Status, ex.Message);
        }
        var job = await jobs.EnqueueAsync(db, GoodsImportJob.JobKind, format, data, cancellationToken);
        logs.CreateLogger(typeof(GoodsImportApi)).Info("Goods import of {Rows} rows queued as job {JobId} by {User}", rows, job.Id, Policies.NameOf(context));
        context.Response.Headers.Location = $"/api/v1/jobs/{job.Id}";
        return TypedResults.Json(JobResponse.From(job), JobsJson.Wire.JobResponse, statusCode: StatusCodes.Status202Accepted);
    }

    private static string FormatOf(HttpRequest request)
    {
        if (MediaTypeHeaderValue.TryParse(request.ContentType, out var type)
            && (type.Charset.Value is null || string.Equals(type.Charset.Value, "utf-8", StringComparison.OrdinalIgnoreCase)))
        {
            foreach (var format in (string[])[GoodsImportParser.Csv, GoodsImportParser.Json])
            {
                if (string.Equals(type.MediaType.Value, format, StringComparison.OrdinalIgnoreCase))
                {
                    return format;
                }
            }
        }
        throw new ApiProblem(415, $"Unsupported Content-Type: send {GoodsImportParser.Csv} or {GoodsImportParser.Json} (UTF-8)");
    }

    /// <summary>Reads the upload under the import limit (20 MiB instead of the service's 1 MiB, set by routing).</summary>
    private static async Task<byte[]> ReadBodyAsync(HttpContext context, CancellationToken cancellationToken)
    {
        if (context.Request.ContentLength > MaxBytes)
        {
            throw new ApiProblem(413, $"An import is at most {MaxBytes / (1024 * 1024)} MiB");
        }
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer, cancellationToken);
        return buffer.Length > 0 ? buffer.ToArray() : throw ApiProblem.BadRequest("The import is empty: send a CSV file or a JSON array");
    }
}
