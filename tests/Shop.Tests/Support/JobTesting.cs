using System.Text.Json.Nodes;

namespace Shop.Tests.Support;

/// <summary>Helpers shared by the job tests (imports, the jobs API).</summary>
public static class JobTesting
{
    /// <summary>Polls a job until it has finished (succeeded or failed), and returns it.</summary>
    public static Task<JsonNode> WaitForJobAsync(HttpClient admin, string location, TimeSpan? timeout = null) =>
        Poll.UntilAsync(async () => await (await admin.GetAsync(location, TestContext.Current.CancellationToken)).ReadJsonAsync(),
            job => (string?)job["status"] is "succeeded" or "failed", $"job {location} to finish",
            timeout ?? TimeSpan.FromSeconds(60), job => job.ToJsonString());
}
