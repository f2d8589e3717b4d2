namespace Shop.Infrastructure;

/// <summary>
/// A turn at a <see cref="SemaphoreSlim"/> held as an <see cref="IDisposable"/>: waited for, then
/// released exactly once however often it is disposed. The write gate and the login throttle's
/// per-username turns are both this.
/// </summary>
public sealed class SemaphoreTurn : IDisposable
{
    private readonly SemaphoreSlim _semaphore;
    private int _done;

    private SemaphoreTurn(SemaphoreSlim semaphore) => _semaphore = semaphore;

    /// <summary>Waits for the semaphore; dispose the result to release it.</summary>
    public static async Task<SemaphoreTurn> EnterAsync(SemaphoreSlim semaphore, CancellationToken cancellationToken)
    {
        await semaphore.WaitAsync(cancellationToken);
        return new SemaphoreTurn(semaphore);
    }

    /// <summary>Waits at most <paramref name="timeout"/> for the semaphore; null when the time ran out.</summary>
    public static async Task<SemaphoreTurn?> TryEnterAsync(SemaphoreSlim semaphore, TimeSpan timeout, CancellationToken cancellationToken) =>
        await semaphore.WaitAsync(timeout, cancellationToken) ? new SemaphoreTurn(semaphore) : null;

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _done, 1) == 0)
        {
            _semaphore.Release();
        }
    }
}
