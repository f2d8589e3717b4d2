using System.Data.Common;
using System.Globalization;
using Shop.Infrastructure.Data;

namespace Shop.Features.Goods;

/// <summary>
/// The one plain-SQL insert of goods rows, shared by the seed and the import: a prepared command in
/// the context's transaction, bound from a <see cref="GoodsItem"/> entity so that the folded name comes
/// from <see cref="GoodsItem.Name"/> as everywhere else. What a duplicate sku does is the caller's.
/// </summary>
internal sealed class GoodsRowCommand : IAsyncDisposable
{
    private readonly DbCommand _command;
    private readonly Dictionary<string, DbParameter> _parameters;

    private GoodsRowCommand(DbCommand command, Dictionary<string, DbParameter> parameters) =>
        (_command, _parameters) = (command, parameters);

    /// <param name="onConflict">After <c>ON CONFLICT (Sku)</c>: <c>DO NOTHING</c> or a <c>DO UPDATE SET …</c>.</param>
    public static async Task<GoodsRowCommand> PrepareAsync(ShopDb db, string onConflict, DateTime now, CancellationToken cancellationToken)
    {
        var command = Sql.Command(db, string.Format(CultureInfo.InvariantCulture, """
            INSERT INTO goods (Sku, Name, NameFolded, Description, PriceCents, Stock, Category, CreatedAt, UpdatedAt, Version)
            VALUES (@sku, @name, @folded, @description, @price, COALESCE(@stock, 0), @category, @now, @now, 1)
            ON CONFLICT (Sku) {0}
            RETURNING Id, Version
            """, onConflict), ("@now", now));
        var parameters = new[] { "@sku", "@name", "@folded", "@description", "@price", "@stock", "@category" }
            .ToDictionary(name => name, name => Sql.Parameter(command, name));
        // Typed before the values are known: Npgsql prepares with the types, and a NULL stock stays a bigint.
        foreach (var (name, parameter) in parameters)
        {
            parameter.DbType = name is "@price" or "@stock" ? System.Data.DbType.Int64 : System.Data.DbType.String;
        }
        await command.PrepareAsync(cancellationToken);
        return new GoodsRowCommand(command, parameters);
    }

    /// <summary>Writes one row; its id and version (1: created), or null when a duplicate was left alone.</summary>
    /// <param name="stockGiven">False: a new row starts at 0 and an update may keep the stock it had (<c>@stock</c> is NULL).</param>
    public async Task<(long Id, long Version)?> ExecuteAsync(GoodsRules.Valid row, bool stockGiven, CancellationToken cancellationToken)
    {
        var goods = new GoodsItem { Sku = row.Sku, Name = row.Name };
        row.ApplyTo(goods);
        (_parameters["@sku"].Value, _parameters["@name"].Value, _parameters["@folded"].Value) = (goods.Sku, goods.Name, goods.NameFolded);
        (_parameters["@description"].Value, _parameters["@price"].Value, _parameters["@category"].Value) = (goods.Description, goods.PriceCents, goods.Category);
        _parameters["@stock"].Value = stockGiven ? goods.Stock : DBNull.Value;
        await using var reader = await _command.ExecuteReaderAsync(cancellationToken);
        // Version is a 32-bit integer column: PostgreSQL returns it as such, SQLite as 64 bits.
        return await reader.ReadAsync(cancellationToken) ? (reader.GetInt64(0), Convert.ToInt64(reader.GetValue(1), CultureInfo.InvariantCulture)) : null;
    }

    public ValueTask DisposeAsync() => _command.DisposeAsync();
}
