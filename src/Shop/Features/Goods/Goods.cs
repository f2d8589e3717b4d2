namespace Shop.Features.Goods;

/// <summary>A goods row. Never leaves the service: the API speaks <see cref="GoodsResponse"/>.</summary>
public sealed class Goods
{
    public long Id { get; set; }
    public required string Sku { get; set; }
    public required string Name { get; set; }

    /// <summary>
    /// The name case-folded in .NET, so that <c>q</c> matches case-insensitively in every script:
    /// SQLite's own <c>lower()</c> and <c>LIKE</c> only fold ASCII.
    /// </summary>
    public required string NameFolded { get; set; }

    public string Description { get; set; } = "";

    /// <summary>Money in cents: exact, and comparable and sortable in SQL on every provider.</summary>
    public long PriceCents { get; set; }

    /// <summary>
    /// 64-bit: cancellations give stock back on top of what an admin set, so it can pass any
    /// bound that writes enforce, and it must never overflow on the way back.
    /// </summary>
    public long Stock { get; set; }
    public string Category { get; set; } = "";
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }

    /// <summary>Bumped on every write; the ETag and the optimistic-concurrency token.</summary>
    public int Version { get; set; }

    public static string Fold(string text) => text.Normalize().ToUpperInvariant().ToLowerInvariant();
}
