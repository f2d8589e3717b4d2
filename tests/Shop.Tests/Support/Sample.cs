namespace Shop.Tests.Support;

/// <summary>One sample of the Prometheus text format: <c>name{label="value",…} 1.5</c>.</summary>
public sealed record Sample(string Name, IReadOnlyDictionary<string, string> Labels, double Value);
