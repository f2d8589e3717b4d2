using Microsoft.Data.Sqlite;
using Shop.Infrastructure.Data;

namespace Shop.Infrastructure.Cache;

/// <summary>
/// Tells in-process caches whether the database may have changed: a number that changes whenever
/// anything is committed to the database, by any connection of this process or of another process
/// sharing the file. On SQLite it follows <c>PRAGMA data_version</c>, read on a connection of its
/// own (the pragma counts the commits of every OTHER connection, and this one never writes).
/// </summary>
/// <remarks>
/// This makes a cache exact without any writer having to know about it: an entry is used only
/// while the number is the one read just before the entry was loaded, so a goods changed by the
/// API, by an order's reservation, by an import or by another process is never served stale. The
/// price is that every commit, of any table, retires every entry; reads between writes — the
/// common case of a shop — are the ones served from memory. The pragma reads no table.
/// <para>
/// The number handed out is this process's own and only ever grows: the pragma's value is per
/// connection and starts again when the connection is reopened (after an error), so a reopen
/// counts as a change. What this cannot see is the database file being replaced under the running
/// service (the connection keeps the old file open); like any SQLite application, Shop must be
/// stopped before its file is swapped.
/// </para>
/// </remarks>
public sealed class DatabaseChanges(DatabaseOptions database) : IDisposable
{
    private readonly Lock _lock = new();
    private SqliteConnection? _connection;
    private SqliteCommand? _version;
    private long _lastSeen = -1;
    private long _number;

    /// <summary>The current change number, or null when it cannot be read (then nothing may be cached).</summary>
    public long? Current()
    {
        if (database.OnPostgres)
        {
            // PostgreSQL has no such number: its callers read their change log at every catch-up instead.
            return null;
        }
        lock (_lock)
        {
            try
            {
                if (_version is null)
                {
                    // Not pooled: this connection lives as long as the service and must close with it.
                    // A one-second busy timeout: a locked file makes reads miss the cache, not queue here.
                    _connection = new SqliteConnection(new SqliteConnectionStringBuilder(database.SqliteConnectionString)
                    {
                        Pooling = false,
                        DefaultTimeout = 1,
                    }.ToString());
                    _connection.Open();
                    _version = _connection.CreateCommand();
                    _version.CommandText = "PRAGMA data_version";
                    _lastSeen = -1;
                }
                var seen = (long)_version.ExecuteScalar()!;
                if (seen != _lastSeen)
                {
                    (_lastSeen, _number) = (seen, _number + 1);
                }
                return _number;
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
