namespace Shop.Features.Orders;

public static class OrderStatus
{
    public const string Pending = "pending";
    public const string Confirmed = "confirmed";
    public const string Rejected = "rejected";
    public const string Cancelled = "cancelled";

    public static readonly string[] All = [Pending, Confirmed, Rejected, Cancelled];
}
