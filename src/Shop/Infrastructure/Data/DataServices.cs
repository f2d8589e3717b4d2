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
            services.AddDbContextPool<ShopDb, PostgresShopDb>(options => UseCompiledModel(ConfigurePostgres(options, connectionString), onPostgres: true));
        }
        else
        {
            services.AddDbContextPool<ShopDb, SqliteShopDb>(options => UseCompiledModel(ConfigureSqlite(options, database.SqliteConnectionString), onPostgres: false));
        }
        services.AddSingleton<WriteGate>();
        services.AddSingleton<Cache.DatabaseChanges>();
        return services;
    }

    /// <summary>
    /// The model <c>dotnet ef dbcontext optimize</c> generated from <c>OnModelCreating</c>
    /// (<c>CompiledModels/</c>): the first context of the process then neither runs the conventions
    /// nor validates a model, which start-up would otherwise wait for (bench/README.md).
    /// </summary>
    /// <remarks>
    /// Only the service's own contexts take it. The design-time factories and the contexts tests
    /// build from <see cref="ConfigureSqlite"/> and <see cref="ConfigurePostgres"/> run
    /// <c>OnModelCreating</c>, so the EF tools never read a compiled model that is out of date;
    /// <c>scripts/regen-migrations</c> regenerates the compiled models and <c>--check</c> finds one
    /// that is stale, as CompiledModelTests does. The Design configuration, which the script builds
    /// for the tools, has no compiled models.
    /// </remarks>
    private static DbContextOptionsBuilder UseCompiledModel(DbContextOptionsBuilder options, bool onPostgres)
    {
#if !WITHOUT_COMPILED_MODELS
        options.UseModel(onPostgres ? CompiledModels.Postgres.PostgresShopDbModel.Instance : CompiledModels.Sqlite.SqliteShopDbModel.Instance);
#endif
        return options;
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
    /// <remarks>
    /// A database that has every migration is left alone: EF's <c>Migrate</c> would take its
    /// migrations lock and compare the model with the last migration's snapshot on every start,
    /// which costs start-up a tenth of a second and changes nothing (<c>scripts/regen-migrations
    /// --check</c> is what finds a model change that has no migration).
    /// </remarks>
    public static async Task MigrateAsync(ShopDb db, CancellationToken cancellationToken)
    {
        if ((await db.Database.GetPendingMigrationsAsync(cancellationToken)).Any())
        {
            await db.Database.MigrateAsync(cancellationToken);
        }
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
