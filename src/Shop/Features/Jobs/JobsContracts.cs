using System.Text.Json;
using System.Text.Json.Serialization;
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
