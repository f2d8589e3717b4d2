using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Shop.Infrastructure.Data;

/// <summary>
/// <c>synchronous=NORMAL</c> on every connection: in WAL mode a commit then waits for no fsync
/// (the WAL is synced at checkpoints), which multiplies write throughput — the queue writes a row
/// per accepted order. The database stays consistent after a crash of the process or of the
/// machine; a power cut may lose the last commits before a checkpoint, never corrupt the file.
/// <c>cache_size</c> of 512 KiB instead of SQLite's 2 MB: every pooled connection fills its own page
/// cache on a large catalogue, a dozen of them under load, while the kernel's page cache already
/// holds the file's hot pages for all of them. These are per-connection settings, hence the interceptor,
/// which also makes the connection objects EF uses, without EF's SQL functions.
/// </summary>
internal sealed class SqlitePragmas : DbConnectionInterceptor
{
    public static readonly SqlitePragmas Instance = new();

    /// <summary>
    /// How long a statement waits for another connection's write lock before it fails (and the request
    /// answers 503): long enough for any commit of a healthy writer, short enough that a stuck one
    /// does not hold requests for long. The connection string's <c>Default Timeout</c> matches it.
    /// </summary>
    public const int BusyTimeoutMilliseconds = 5000;

    /// <summary>
    /// A plain connection in place of the one EF would make. EF's SQLite provider adds a dozen SQL
    /// functions to each connection object (<c>regexp</c> and the <c>ef_*</c> decimal helpers), and
    /// Microsoft.Data.Sqlite registers them again with the native connection at every open, that
    /// is for every request that reads the database: the largest allocator on a cache miss. Shop
    /// keeps money as integer cents and matches text with FTS5, so its SQL calls none of them
    /// (a query that did would fail with "no such function", in every test that runs it).
    /// </summary>
    public override InterceptionResult<System.Data.Common.DbConnection> ConnectionCreating(
        ConnectionCreatingEventData eventData, InterceptionResult<System.Data.Common.DbConnection> result) =>
        InterceptionResult<System.Data.Common.DbConnection>.SuppressWithResult(new SqliteConnection(eventData.ConnectionString));

    public override void ConnectionOpened(System.Data.Common.DbConnection connection, ConnectionEndEventData eventData) =>
        Apply(connection);

    public override Task ConnectionOpenedAsync(System.Data.Common.DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Apply(connection);
        return Task.CompletedTask;
    }

    /// <summary>
    /// The native connections already set up. Microsoft.Data.Sqlite pools native connections and a
    /// pragma stays set on one, so each is set up once, not on every logical open (every request).
    /// </summary>
    private static readonly ConditionalWeakTable<object, object> Configured = new();

    private static void Apply(System.Data.Common.DbConnection connection)
    {
        var handle = (connection as SqliteConnection)?.Handle;
        if (handle is not null && Configured.TryGetValue(handle, out _))
        {
            return;
        }
        using var command = connection.CreateCommand();
        command.CommandText = $"PRAGMA synchronous=NORMAL; PRAGMA busy_timeout={BusyTimeoutMilliseconds}; PRAGMA cache_size=-512;";
        try
        {
            command.ExecuteNonQuery();
            if (handle is not null)
            {
                Configured.AddOrUpdate(handle, Instance);
            }
        }
        catch (SqliteException)
        {
            // A file that is not a database fails here first; leave the error to the statement that
            // needed the database, where it is reported (readiness answers 503 and logs it).
        }
    }
}
