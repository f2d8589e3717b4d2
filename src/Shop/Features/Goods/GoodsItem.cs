namespace Shop.Features.Goods;

/// <summary>A goods row. Never leaves the service: the API speaks <see cref="GoodsResponse"/>.</summary>
public sealed class GoodsItem
{
    public long Id { get; set; }
    public required string Sku { get; set; }
    private string _name = "";

    /// <summary>Setting the name sets <see cref="NameFolded"/>: the one place where the two are kept together.</summary>
    public required string Name
    {
        get => _name;
        set
        {
            _name = value;
            NameFolded = Fold(value);
        }
    }

    /// <summary>
    /// The name case-folded in .NET, so that <c>q</c> matches case-insensitively in every script:
    /// SQLite's own <c>lower()</c> and <c>LIKE</c> only fold ASCII. EF reads it into its backing
    /// field; code sets it only through <see cref="Name"/>.
    /// </summary>
    public string NameFolded { get; private set; } = "";

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

    /// <summary>Bumped on every write (<see cref="Touch"/>, <see cref="TouchSql"/>); the ETag and the optimistic-concurrency token.</summary>
    public int Version { get; set; }

    /// <summary>
    /// What every write of an existing goods row does besides its own change, for plain SQL writers
    /// (orders' stock, imports): the version grows and the time is <c>@now</c>. The one place, with
    /// <see cref="Touch"/> for tracked entities, where "every write bumps the version" lives.
    /// The column is qualified because in an upsert's <c>DO UPDATE</c> PostgreSQL also sees <c>excluded.Version</c>.
    /// </summary>
    public const string TouchSql = "Version = goods.Version + 1, UpdatedAt = @now";

    /// <summary>The entity side of <see cref="TouchSql"/>.</summary>
    public void Touch(DateTime now)
    {
        Version++;
        UpdatedAt = now;
    }

    public static string Fold(string text) => text.Normalize().ToUpperInvariant().ToLowerInvariant();
}
