namespace Shop.Tests.Deploy;

/// <summary>
/// One cluster of three instances, each a master with two workers, for all of
/// <see cref="ClusterTests"/> (starting one costs seconds):
/// made by the first test that asks, inside that test, so a missing nginx skips the test; stopped
/// with <c>cluster.sh down</c> after the last.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class ClusterFixture : IAsyncDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private Cluster? _cluster;

    public async Task<Cluster> GetAsync()
    {
        await _gate.WaitAsync(TestContext.Current.CancellationToken);
        try
        {
            return _cluster ??= await Cluster.UpAsync(instances: 3, workers: 2);
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
        _gate.Dispose();
    }
}
