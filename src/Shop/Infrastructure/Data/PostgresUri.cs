using System.Text.RegularExpressions;
using Npgsql;

namespace Shop.Infrastructure.Data;

/// <summary>
/// The <c>database</c> setting's PostgreSQL form, libpq's URI <c>postgresql://user:pass@host:port/db?option=value</c>
/// (also <c>postgres://</c>), read into an Npgsql connection string. Hand-written because Npgsql reads
/// only its own <c>Key=Value</c> form; the URI is split by <see cref="Uri"/> and the options are
/// checked by <see cref="NpgsqlConnectionStringBuilder"/>, so only the mapping is ours.
/// </summary>
public static class PostgresUri
{
    private const string Example = "postgresql://user:password@host:5432/database";

    /// <summary>Whether the setting names a PostgreSQL database rather than a SQLite file.</summary>
    public static bool IsPostgres(string database) =>
        database.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase)
        || database.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase);

    /// <summary>The Npgsql connection string; a <see cref="FormatException"/> whose message never contains the password.</summary>
    public static string ToConnectionString(string uri)
    {
        if (!Uri.TryCreate(uri, UriKind.Absolute, out var parsed) || parsed.Host.Length == 0)
        {
            throw new FormatException($"'{Redact(uri)}' is not a PostgreSQL URI ({Example})");
        }
        var database = Uri.UnescapeDataString(parsed.AbsolutePath.TrimStart('/'));
        if (database.Length == 0 || database.Contains('/'))
        {
            throw new FormatException($"'{Redact(uri)}' names no database ({Example})");
        }
        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = parsed.HostNameType == UriHostNameType.IPv6 ? parsed.Host.Trim('[', ']') : Uri.UnescapeDataString(parsed.Host),
            Port = parsed.IsDefaultPort || parsed.Port < 0 ? 5432 : parsed.Port,
            Database = database,
        };
        if (parsed.UserInfo.Length > 0)
        {
            var colon = parsed.UserInfo.IndexOf(':');
            builder.Username = Uri.UnescapeDataString(colon < 0 ? parsed.UserInfo : parsed.UserInfo[..colon]);
            if (colon >= 0)
            {
                builder.Password = Uri.UnescapeDataString(parsed.UserInfo[(colon + 1)..]);
            }
        }
        foreach (var option in parsed.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = option.IndexOf('=');
            var name = Uri.UnescapeDataString(equals < 0 ? option : option[..equals]);
            try
            {
                // Npgsql's own names and aliases (sslmode, Timeout, Maximum Pool Size...), checked by Npgsql.
                builder[name] = Uri.UnescapeDataString(equals < 0 ? "" : option[(equals + 1)..]);
            }
            catch (Exception ex) when (ex is ArgumentException or FormatException or InvalidCastException)
            {
                throw new FormatException($"'{Redact(uri)}': option '{name}' is not a connection option of Npgsql or has a bad value");
            }
        }
        return builder.ConnectionString;
    }

    /// <summary>The setting as it may be shown in messages and logs: the password is replaced by <c>***</c>.</summary>
    public static string Redact(string database)
    {
        if (!IsPostgres(database))
        {
            return database;
        }
        var query = database.IndexOf('?');
        var (address, options) = query < 0 ? (database, "") : (database[..query], database[query..]);
        var scheme = address.IndexOf("://", StringComparison.Ordinal) + 3;
        var at = address.LastIndexOf('@');
        var colon = at > scheme ? address.IndexOf(':', scheme, at - scheme) : -1;
        var redacted = colon < 0 ? address : $"{address[..(colon + 1)]}***{address[at..]}";
        return redacted + Regex.Replace(options, "(?i)(password=)[^&]*", "$1***");
    }
}
