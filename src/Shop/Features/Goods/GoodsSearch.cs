using Microsoft.EntityFrameworkCore;
using Shop.Infrastructure.Data;

namespace Shop.Features.Goods;

/// <summary>
/// The <c>q</c> filter: goods whose folded name contains the folded text, literally (<c>%</c> and
/// <c>_</c> are ordinary characters), through an index on each database so that a search does not
/// read every name. On SQLite the index is the FTS5 table <c>goods_name_search</c> (trigram
/// tokenizer, case-sensitive over the already folded name), kept in step with <c>goods</c> by
/// triggers in the same transaction as every write; on PostgreSQL a <c>pg_trgm</c> GIN index on
/// <c>namefolded</c>, which <c>LIKE</c> uses. Both live in the migrations as plain SQL, not in the
/// model: neither provider's model can describe the other's.
/// </summary>
internal static class GoodsSearch
{
    /// <summary>The FTS5 table; its triggers are in the SQLite migration <c>GoodsSearch</c>.</summary>
    public const string SqliteTable = "goods_name_search";

    /// <summary>A trigram index finds texts of at least three characters; shorter ones read every name.</summary>
    public const int IndexedLength = 3;

    private static string? _sqliteMatch;

    public static IQueryable<GoodsItem> Matching(ShopDb db, string folded)
    {
        if (!db.Database.IsSqlite())
        {
            return db.Set<GoodsItem>().Where(g => EF.Functions.Like(g.NameFolded, "%" + EscapeLike(folded) + "%", "\\"));
        }
        if (folded.EnumerateRunes().Count() < IndexedLength)
        {
            // instr(): a literal, case-sensitive "contains" of the folded text.
            return db.Set<GoodsItem>().Where(g => g.NameFolded.Contains(folded));
        }
        return db.Set<GoodsItem>().FromSqlRaw(_sqliteMatch ??= SqliteMatch(db), Phrase(folded));
    }

    /// <summary>
    /// How many goods match when <c>q</c> is the only filter, or null when the goods rows must be
    /// read to tell: on SQLite the FTS table alone answers, without a lookup per matching goods.
    /// </summary>
    public static async Task<int?> CountOnlyAsync(ShopDb db, string folded, CancellationToken cancellationToken) =>
        db.Database.IsSqlite() && folded.EnumerateRunes().Count() >= IndexedLength
            ? await db.Database.SqlQueryRaw<int>($"SELECT count(*) AS Value FROM {SqliteTable} WHERE {SqliteTable} MATCH {{0}}", Phrase(folded))
                .SingleAsync(cancellationToken)
            : null;

    /// <summary>One FTS5 phrase of the text's trigrams: it matches exactly the names that contain the text.</summary>
    private static string Phrase(string folded) => "\"" + folded.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    /// <summary>
    /// The goods rows in the FTS table's rowid order. The id is taken from the FTS side so that
    /// SQLite sees <c>ORDER BY id</c> as the index's own order and stops after one page.
    /// </summary>
    private static string SqliteMatch(ShopDb db)
    {
        var columns = db.Model.FindEntityType(typeof(GoodsItem))!.GetProperties()
            .Select(p => p.Name == nameof(GoodsItem.Id) ? $"s.rowid AS \"{p.GetColumnName()}\"" : $"g.\"{p.GetColumnName()}\"");
        return $"SELECT {string.Join(", ", columns)} FROM {SqliteTable} AS s JOIN goods AS g ON g.\"Id\" = s.rowid WHERE {SqliteTable} MATCH {{0}}";
    }

    private static string EscapeLike(string text) =>
        text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal);
}
