using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Npgsql;

namespace Shop.Infrastructure.Data;

public static class DataServices
{
    /// <summary>
    /// A pooled context: the read path reuses context instances instead of building one per request.
    /// The <c>database</c> setting chooses the provider: a PostgreSQL URI, or a SQLite file.
    /// </summary>
    public static IServiceCollection AddShopData(this IServiceCollection services, DatabaseOptions database)
    {
        services.AddSingleton(database);
        if (database.OnPostgres)
        {
            var connectionString = PostgresUri.ToConnectionString(database.Database);
            services.AddDbContextPool<ShopDb, PostgresShopDb>(options => ConfigurePostgres(options, connectionString));
        }
        else
        {
            services.AddDbContextPool<ShopDb, SqliteShopDb>(options => ConfigureSqlite(options, database.SqliteConnectionString));
        }
        services.AddSingleton<WriteGate>();
        services.AddSingleton<Cache.DatabaseChanges>();
        return services;
    }

    internal static DbContextOptionsBuilder ConfigureSqlite(DbContextOptionsBuilder options, string connectionString) =>
        Common(options.UseSqlite(connectionString).AddInterceptors(SqlitePragmas.Instance));

    internal static DbContextOptionsBuilder ConfigurePostgres(DbContextOptionsBuilder options, string connectionString) =>
        Common(options.UseNpgsql(connectionString).UseLowerCaseNamingConvention());

    private static DbContextOptionsBuilder Common(DbContextOptionsBuilder options) =>
        options
            .UseQueryTrackingBehavior(QueryTrackingBehavior.NoTracking)
            // A failed command is usually an expected answer (a duplicate sku becomes a 409), so EF must
            // not log it as ERROR; the request pipeline logs what is really unexpected.
            .ConfigureWarnings(w => w
                .Log((RelationalEventId.CommandError, LogLevel.Debug))
                .Log((CoreEventId.SaveChangesFailed, LogLevel.Debug))
                .Log((CoreEventId.QueryIterationFailed, LogLevel.Debug))
                .Log((RelationalEventId.ConnectionError, LogLevel.Debug))
                // A commit that meets a full disk or a lock is answered 503 and logged once a minute (StorageFailures).
                .Log((RelationalEventId.TransactionError, LogLevel.Debug)));

    /// <summary>
    /// Creates or upgrades the schema with the migrations of the context's provider. A SQLite file
    /// is also switched to WAL mode, which lets readers go on while one writer commits; WAL is a
    /// property of the file, so setting it once is enough.
    /// </summary>
    public static async Task MigrateAsync(ShopDb db, CancellationToken cancellationToken)
    {
        await db.Database.MigrateAsync(cancellationToken);
        if (db.Database.IsSqlite())
        {
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
        }
    }

    /// <summary>
    /// True when the database server cannot be reached or ended the connection (stopped, restarting,
    /// the network gone): a dependency that is down, not a fault of the request or of Shop. A SQLite
    /// file is never "unreachable"; its failures are locks, a full disk or damage.
    /// </summary>
    public static bool IsUnreachable(System.Data.Common.DbException exception) => exception switch
    {
        // connection_exception (class 08), admin_shutdown, crash_shutdown, cannot_connect_now.
        { SqlState: { } state } when state.StartsWith("08", StringComparison.Ordinal) || state is "57P01" or "57P02" or "57P03" => true,
        NpgsqlException { InnerException: System.Net.Sockets.SocketException or IOException or TimeoutException } => true,
        _ => false,
    };

    /// <summary>True when the exception is a unique-constraint violation (a duplicate key), on either database.</summary>
    public static bool IsUniqueViolation(DbUpdateException exception) => exception.InnerException switch
    {
        SqliteException sqlite => sqlite.SqliteExtendedErrorCode is 2067 or 1555,
        PostgresException postgres => postgres.SqlState == PostgresErrorCodes.UniqueViolation,
        _ => false,
    };
}

/// <summary>
/// <c>synchronous=NORMAL</c> on every connection: in WAL mode a commit then waits for no fsync
/// (the WAL is synced at checkpoints), which multiplies write throughput — the queue writes a row
/// per accepted order. The database stays consistent after a crash of the process or of the
/// machine; a power cut may lose the last commits before a checkpoint, never corrupt the file.
/// It is a per-connection setting, hence the interceptor.
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
        command.CommandText = $"PRAGMA synchronous=NORMAL; PRAGMA busy_timeout={BusyTimeoutMilliseconds};";
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
