using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Shop.Hosting;

namespace Shop.Infrastructure.Data;

public static class DataServices
{
    /// <summary>
    /// A pooled context: the read path reuses context instances instead of building one per request.
    /// </summary>
    public static IServiceCollection AddShopData(this IServiceCollection services, ShopSettings settings)
    {
        services.AddDbContextPool<ShopDb>(options => Configure(options, settings.SqliteConnectionString));
        return services;
    }

    internal static DbContextOptionsBuilder Configure(DbContextOptionsBuilder options, string connectionString) =>
        options
            .UseSqlite(connectionString)
            .UseQueryTrackingBehavior(QueryTrackingBehavior.NoTracking)
            // A failed command is usually an expected answer (a duplicate sku becomes a 409), so EF must
            // not log it as ERROR; the request pipeline logs what is really unexpected.
            .ConfigureWarnings(w => w
                .Log((RelationalEventId.CommandError, LogLevel.Debug))
                .Log((CoreEventId.SaveChangesFailed, LogLevel.Debug))
                .Log((CoreEventId.QueryIterationFailed, LogLevel.Debug))
                .Log((RelationalEventId.ConnectionError, LogLevel.Debug)));

    /// <summary>
    /// Creates or upgrades the schema and switches the file to WAL mode, which lets readers go on
    /// while one writer commits. WAL is a property of the file, so setting it once is enough.
    /// </summary>
    public static async Task MigrateAsync(ShopDb db, CancellationToken cancellationToken)
    {
        await db.Database.MigrateAsync(cancellationToken);
        await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
    }

    /// <summary>True when the exception is a unique-constraint violation (a duplicate key).</summary>
    public static bool IsUniqueViolation(DbUpdateException exception) =>
        exception.InnerException is SqliteException { SqliteExtendedErrorCode: 2067 or 1555 };
}

/// <summary>Lets <c>dotnet ef</c> build the context without starting the service.</summary>
public sealed class ShopDbDesignTimeFactory : IDesignTimeDbContextFactory<ShopDb>
{
    public ShopDb CreateDbContext(string[] args)
    {
        var options = new DbContextOptionsBuilder<ShopDb>();
        DataServices.Configure(options, "Data Source=design.db");
        return new ShopDb(options.Options);
    }
}
