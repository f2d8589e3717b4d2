namespace Shop.Rest;

/// <summary>
/// Who may call an endpoint when the handler narrows its group's policy (an order's owner or an
/// admin, a user themselves): what <c>shop routes</c> prints in its WHO column.
/// </summary>
public sealed record CallerRule(string Who);
