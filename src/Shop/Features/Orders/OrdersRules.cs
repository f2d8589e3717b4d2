using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Shop.Rest;

namespace Shop.Features.Orders;

/// <summary>The contract's rules for order requests.</summary>
public static class OrdersRules
{
    public const int MaxLines = 50;
    public const int MaxQuantity = 1000;
    public const int IdempotencyKeyMax = 255;
    public const string IdempotencyHeader = "Idempotency-Key";

    public sealed record Item(long GoodsId, int Quantity);

    public static IReadOnlyList<Item> Validate(OrderCreate input)
    {
        var v = new Validation();
        if (input.Items is not { Count: >= 1 and <= MaxLines } items)
        {
            v.Add("items", input.Items is null ? "is required" : $"must have 1 to {MaxLines} lines");
            v.ThrowIfInvalid();
            return [];
        }
        for (var i = 0; i < items.Count; i++)
        {
            if (items[i] is null)
            {
                v.Add($"items[{i}]", "must be an object");
                continue;
            }
            v.Integer($"items[{i}].goods_id", items[i].GoodsId, 1, long.MaxValue, required: true);
            v.Integer($"items[{i}].quantity", items[i].Quantity, 1, MaxQuantity, required: true);
        }
        v.ThrowIfInvalid();
        return items.Select(i => new Item(i.GoodsId!.Value, (int)i.Quantity!.Value)).ToList();
    }

    /// <summary>The same items in the same order hash alike, however the JSON was spaced or ordered.</summary>
    public static string Hash(IReadOnlyList<Item> items) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(
        string.Join(';', items.Select(i => string.Create(CultureInfo.InvariantCulture, $"{i.GoodsId}x{i.Quantity}"))))));

    /// <summary>The Idempotency-Key header, if sent: 1 to 255 visible ASCII characters.</summary>
    public static string? IdempotencyKey(HttpRequest request)
    {
        var values = request.Headers[IdempotencyHeader];
        if (values.Count == 0)
        {
            return null;
        }
        var key = values.Count == 1 ? values[0] : null;
        return key is { Length: > 0 and <= IdempotencyKeyMax } && key.All(c => c is > ' ' and <= '~')
            ? key
            : throw ApiProblem.BadRequest($"{IdempotencyHeader} must be one value of 1 to {IdempotencyKeyMax} visible ASCII characters");
    }
}
