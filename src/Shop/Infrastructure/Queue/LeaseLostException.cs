namespace Shop.Infrastructure.Queue;

/// <summary>
/// The worker no longer holds the item (its lease ran out and another worker took it, or it was
/// cancelled): its work is rolled back and left to the holder. Not a failure of the item.
/// </summary>
public sealed class LeaseLostException(string item) : Exception($"{item}: the claim was lost to another worker");
