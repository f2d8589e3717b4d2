namespace Shop.Infrastructure;

/// <summary>The time as Shop stores it.</summary>
public static class StoredTime
{
    /// <summary>
    /// Now, in UTC, to the second: the contract shows timestamps to the second, so what is stored is
    /// exactly what is shown (and an ETag or a comparison never sees a hidden fraction).
    /// </summary>
    public static DateTime UtcNowToTheSecond(this TimeProvider clock)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        return now.AddTicks(-(now.Ticks % TimeSpan.TicksPerSecond));
    }
}
