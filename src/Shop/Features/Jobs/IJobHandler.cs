namespace Shop.Features.Jobs;

/// <summary>What a kind of job does with its payload. Registered as a singleton per kind.</summary>
public interface IJobHandler
{
    string Kind { get; }

    /// <summary>Runs the job (or resumes it from <see cref="JobRun.Progress"/>) and returns its result as JSON.</summary>
    Task<string> RunAsync(JobRun run, CancellationToken cancellationToken);
}
