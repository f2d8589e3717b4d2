using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace Shop.Infrastructure.Data;

/// <summary>
/// Plain SQL commands on the context's connection and transaction, for the few statements EF
/// cannot express: UPDATE ... RETURNING claims and bulk upserts with prepared parameters.
/// The same text runs on both databases: parameters are written <c>@name</c> (Microsoft.Data.Sqlite
/// and Npgsql both read that form) and identifiers unquoted (PostgreSQL's are lower case, see
/// <see cref="PostgresShopDb"/>); scalars are read with <see cref="Convert"/>, as an <c>integer</c>
/// column comes back as a 32-bit value from PostgreSQL and as a 64-bit one from SQLite.
/// </summary>
public static class Sql
{
    public static DbCommand Command(ShopDb db, string text, params (string Name, object? Value)[] parameters)
    {
        var command = db.Database.GetDbConnection().CreateCommand();
        command.CommandText = text;
        command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
        foreach (var (name, value) in parameters)
        {
            Parameter(command, name).Value = value ?? DBNull.Value;
        }
        return command;
    }

    /// <summary>
    /// Adds one parameter per value, named <paramref name="prefix"/>0, 1, ..., and returns them as
    /// an <c>IN</c> list: the one form of a list parameter both databases read.
    /// </summary>
    public static string List(DbCommand command, string prefix, IEnumerable<long> values) =>
        string.Join(", ", values.Select((value, i) =>
        {
            var parameter = Parameter(command, $"{prefix}{i}");
            parameter.Value = value;
            return parameter.ParameterName;
        }));

    public static DbParameter Parameter(DbCommand command, string name)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        command.Parameters.Add(parameter);
        return parameter;
    }
}
