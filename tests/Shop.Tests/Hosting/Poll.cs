using System.Diagnostics;

namespace Shop.Tests.Hosting;

/// <summary>Bounded waits on a condition (no fixed sleeps): fails the test with what was awaited.</summary>
public static class Poll
{
    public static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan limit, string what)
    {
        var watch = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(watch.Elapsed < limit, $"not within {limit.TotalSeconds:0} s: {what}");
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
    }

    public static Task UntilAsync(Func<bool> condition, TimeSpan limit, string what) => UntilAsync(() => Task.FromResult(condition()), limit, what);
}
