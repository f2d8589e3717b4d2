using System.Diagnostics;

namespace Shop.Tests.Support;

/// <summary>
/// The one way tests wait: read a state again and again until it is the awaited one, within a
/// generous bound, and fail with the last state seen when the bound runs out. Waiting is asserting.
/// </summary>
public static class Poll
{
    /// <summary>The bound when a caller names none: long enough for a loaded machine running the suite in parallel.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(50);

    /// <summary>Reads with <paramref name="read"/> until <paramref name="done"/> holds, and returns that value.</summary>
    /// <param name="what">What is awaited, for the failure message ("order /api/v1/orders/3 done").</param>
    /// <param name="describe">How the last value reads in the failure message; its ToString() by default.</param>
    public static async Task<T> UntilAsync<T>(
        Func<Task<T>> read, Func<T, bool> done, string what, TimeSpan? timeout = null, Func<T, string?>? describe = null)
    {
        var limit = timeout ?? DefaultTimeout;
        var watch = Stopwatch.StartNew();
        while (true)
        {
            var value = await read();
            if (done(value))
            {
                return value;
            }
            if (watch.Elapsed > limit)
            {
                Assert.Fail($"Waited {limit.TotalSeconds} s for {what}; the last state was:\n{describe?.Invoke(value) ?? value?.ToString()}");
            }
            await Task.Delay(Interval, TestContext.Current.CancellationToken);
        }
    }

    /// <summary>Waits until <paramref name="condition"/> holds.</summary>
    public static Task UntilAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null) =>
        UntilAsync(condition, holds => holds, what, timeout, _ => "not yet");

    /// <summary>Waits until <paramref name="condition"/> holds.</summary>
    public static Task UntilAsync(Func<bool> condition, string what, TimeSpan? timeout = null) =>
        UntilAsync(() => Task.FromResult(condition()), what, timeout);
}
