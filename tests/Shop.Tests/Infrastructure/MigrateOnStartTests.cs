using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Shop.Infrastructure.Data;

namespace Shop.Tests.Infrastructure;

/// <summary>What start-up's migration step does to a SQLite file that is behind, and to one that is current.</summary>
public sealed class MigrateOnStartTests : IDisposable
{
    private readonly TempFolder _temp = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private SqliteShopDb Open(CommandLog? log = null)
    {
        var options = new DbContextOptionsBuilder<SqliteShopDb>();
        DataServices.ConfigureSqlite(options, $"Data Source={Path.Combine(_temp.Path, "shop.db")};Pooling=False");
        if (log is not null)
        {
            options.AddInterceptors(log);
        }
        return new SqliteShopDb(options.Options);
    }

    [Fact]
    public async Task ADatabaseWithoutItsLastMigrationIsBroughtUpToDate()
    {
        await using (var db = Open())
        {
            var all = db.Database.GetMigrations().ToList();
            await db.GetService<IMigrator>().MigrateAsync(all[^2], cancellationToken: Ct);
            Assert.Equal(all[^1], Assert.Single(await db.Database.GetPendingMigrationsAsync(Ct)));
        }

        await using (var db = Open())
        {
            await DataServices.MigrateAsync(db, Ct);
            Assert.Empty(await db.Database.GetPendingMigrationsAsync(Ct));
            Assert.Equal(db.Database.GetMigrations(), await db.Database.GetAppliedMigrationsAsync(Ct));
        }
    }

    [Fact]
    public async Task ACurrentDatabaseIsOnlyReadAtStart()
    {
        await using (var db = Open())
        {
            await DataServices.MigrateAsync(db, Ct);
        }

        var log = new CommandLog();
        await using (var db = Open(log))
        {
            await DataServices.MigrateAsync(db, Ct);
        }

        Assert.NotEmpty(log.Commands);
        // Reads of the history and the WAL pragma (a no-op on a file already in WAL mode); no lock
        // table, no history row, no schema statement.
        Assert.All(log.Commands, sql => Assert.Matches(@"^\s*(SELECT|PRAGMA)\b", sql));
    }

    public void Dispose() => _temp.Dispose();

    private sealed class CommandLog : DbCommandInterceptor
    {
        public List<string> Commands { get; } = [];

        public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(
            DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
        {
            Commands.Add(command.CommandText);
            return base.ReaderExecutingAsync(command, eventData, result, cancellationToken);
        }

        public override ValueTask<InterceptionResult<object>> ScalarExecutingAsync(
            DbCommand command, CommandEventData eventData, InterceptionResult<object> result, CancellationToken cancellationToken = default)
        {
            Commands.Add(command.CommandText);
            return base.ScalarExecutingAsync(command, eventData, result, cancellationToken);
        }

        public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(
            DbCommand command, CommandEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
        {
            Commands.Add(command.CommandText);
            return base.NonQueryExecutingAsync(command, eventData, result, cancellationToken);
        }
    }
}
