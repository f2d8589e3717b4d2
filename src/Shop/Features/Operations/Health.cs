namespace Shop.Features.Operations;

/// <summary>The body of <c>/healthz</c> and of a passing <c>/readyz</c>: <c>{"status": "ok", "checks": {"database": "ok"}}</c>.</summary>
public sealed record Health(string Status, IReadOnlyDictionary<string, string>? Checks = null);
