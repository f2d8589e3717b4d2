namespace Shop.Features.Jobs;

/// <summary>The input of a job, kept apart so that reading a job never loads a 20 MiB upload.</summary>
public sealed class JobPayload
{
    public long JobId { get; set; }
    public required string ContentType { get; set; }
    public required byte[] Data { get; set; }
}
