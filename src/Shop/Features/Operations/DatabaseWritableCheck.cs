using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Shop.Infrastructure.Data;

namespace Shop.Features.Operations;

/// <summary>
/// Whether a write would get through now. SQLite answers reads while another connection (another
/// process, <c>sqlite3</c>) holds the write lock, so "SELECT 1" cannot see that writes hang; this
/// check takes the write lock for a moment (<c>BEGIN IMMEDIATE; ROLLBACK</c>, nothing written) and
/// reports a full disk met by a recent write (<see cref="StorageFailures"/>). Other providers only
/// get the full-disk part: their locks are row locks that a probe cannot meaningfully take.
/// </summary>
public sealed class DatabaseWritableCheck(ShopDb db, WriteGate gate, StorageFailures storage) : IHealthCheck
{
    /// <summary>How long the probe waits for the write lock before it calls the database not writable.</summary>
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(1);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken)
    {
        if (storage.RecentlyFull)
        {
            return Readiness.Unready("storage is full", "a write found no room on the disk of the database within the last minute");
        }
        if (db.Database.ProviderName != "Microsoft.EntityFrameworkCore.Sqlite")
        {
            return HealthCheckResult.Healthy();
        }
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(Bound);
        IDisposable entered;
        try
        {
            // This process's own writers go first (they hold the lock only for a commit's time).
            entered = await gate.EnterAsync(bounded.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // This process is busy writing, which is not another writer holding the lock: a write that
            // really is stuck fails with 503 on its own, and readiness must not flap under load.
            return HealthCheckResult.Healthy("this process is busy with its own writes");
        }
        using (entered)
        {
            return await ProbeAsync(cancellationToken);
        }
    }

    private async Task<HealthCheckResult> ProbeAsync(CancellationToken cancellationToken)
    {
        try
        {
            await db.Database.OpenConnectionAsync(cancellationToken);
        }
        catch (SqliteException)
        {
            // An unusable file is the "database" check's to report.
            return HealthCheckResult.Healthy("left to the database check");
        }
        try
        {
            // One statement per command: Microsoft.Data.Sqlite stops at a statement that returns a row
            // (a PRAGMA does), which would hide a failing BEGIN behind it.
            var connection = (SqliteConnection)db.Database.GetDbConnection();
            await ExecuteAsync(connection, $"PRAGMA busy_timeout={(int)Bound.TotalMilliseconds};", cancellationToken);
            await ExecuteAsync(connection, "BEGIN IMMEDIATE;", cancellationToken);
            await ExecuteAsync(connection, "ROLLBACK;", cancellationToken);
            return HealthCheckResult.Healthy();
        }
        catch (SqliteException ex) when (StorageFailures.IsBusy(ex))
        {
            return Readiness.Unready("database is not writable", "another connection holds the write lock: " + ex.Message);
        }
        catch (SqliteException)
        {
            return HealthCheckResult.Healthy("left to the database check");
        }
        finally
        {
            await RestoreAsync(cancellationToken);
            await db.Database.CloseConnectionAsync();
        }
    }

    private static async Task ExecuteAsync(SqliteConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandTimeout = (int)Bound.TotalSeconds;
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>The connection goes back to the pool with the service's own busy wait.</summary>
    private async Task RestoreAsync(CancellationToken cancellationToken)
    {
        try
        {
            await db.Database.ExecuteSqlRawAsync($"PRAGMA busy_timeout={SqlitePragmas.BusyTimeoutMilliseconds};", cancellationToken);
        }
        catch (SqliteException)
        {
            // The file is unusable; the database check says so.
        }
    }
}
