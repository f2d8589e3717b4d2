using Microsoft.Data.Sqlite;
using Shop.Infrastructure.Cache;
using Shop.Infrastructure.Data;

namespace Shop.Tests.Infrastructure;

public sealed class DatabaseChangesTests
{
    private static void Commit(string database)
    {
        using var other = new SqliteConnection($"Data Source={database};Pooling=False");
        other.Open();
        using var command = other.CreateCommand();
        command.CommandText = "CREATE TABLE IF NOT EXISTS t (x); INSERT INTO t VALUES (1);";
        command.ExecuteNonQuery();
    }

    [Fact]
    public void TheNumberChangesWithEveryCommitOfAnotherConnectionAndOnlyThen()
    {
        using var folder = new TempFolder();
        var database = folder.File("changes.db");
        Commit(database);
        using var changes = new DatabaseChanges(new DatabaseOptions(database));

        var first = changes.Current();
        Assert.Equal(first, changes.Current());
        Commit(database);
        var second = changes.Current();

        Assert.NotNull(first);
        Assert.True(second > first);
        Assert.Equal(second, changes.Current());
    }

    [Fact]
    public void AReopenedConnectionNeverGivesAnEarlierNumberBack()
    {
        // SQLite's data_version starts again on a new connection; the number handed out must not.
        using var folder = new TempFolder();
        var database = folder.File("changes.db");
        Commit(database);
        using var changes = new DatabaseChanges(new DatabaseOptions(database));
        var seen = new List<long>();
        for (var i = 0; i < 3; i++)
        {
            seen.Add(changes.Current()!.Value);
            Commit(database);
            seen.Add(changes.Current()!.Value);
            changes.Dispose(); // Closes the connection; the next call opens a new one.
        }

        Assert.Equal(seen.Count, seen.Distinct().Count());
        Assert.Equal(seen.Order(), seen);
    }
}
