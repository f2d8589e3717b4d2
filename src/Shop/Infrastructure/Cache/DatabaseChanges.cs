using Microsoft.Data.Sqlite;
using Shop.Hosting;

namespace Shop.Infrastructure.Cache;

/// <summary>
/// Tells in-process caches whether the database may have changed: a number that changes whenever
/// anything is committed to the database, by any connection of this process or of another process
/// sharing the file. On SQLite it is <c>PRAGMA data_version</c>, read on a connection of its own
/// (the pragma counts the commits of every OTHER connection, and this one never writes).
/// </summary>
/// <remarks>
/// This makes a cache exact without any writer having to know about it: an entry is used only
/// while the number is the one read just before the entry was loaded, so a goods changed by the
/// API, by an order's reservation, by an import or by another process is never served stale. The
/// price is that every commit, of any table, retires every entry; reads between writes — the
/// common case of a shop — are the ones served from memory. The pragma reads no table; it costs a
/// few microseconds on a prepared statement.
/// </remarks>
public sealed class DatabaseChanges(ShopSettings settings) : IDisposable
{
    private readonly Lock _lock = new();
    private SqliteConnection? _connection;
    private SqliteCommand? _version;

    /// <summary>The current change number, or null when it cannot be read (then nothing may be cached).</summary>
    public long? Current()
    {
        lock (_lock)
        {
            try
            {
                if (_version is null)
                {
                    // Not pooled: this connection lives as long as the service, and must close with it.
                    _connection = new SqliteConnection(settings.SqliteConnectionString + ";Pooling=False");
                    _connection.Open();
                    _version = _connection.CreateCommand();
                    _version.CommandText = "PRAGMA data_version";
                }
                return (long)_version.ExecuteScalar()!;
            }
            catch (SqliteException)
            {
                // A locked or damaged file: answer "unknown", so callers read the database, which
                // reports the real problem; the next call opens a fresh connection.
                Close();
                return null;
            }
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            Close();
        }
    }

    private void Close()
    {
        _version?.Dispose();
        _connection?.Dispose();
        (_version, _connection) = (null, null);
    }
}
