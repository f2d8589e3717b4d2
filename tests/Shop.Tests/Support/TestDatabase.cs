using System.Collections.Concurrent;


namespace Shop.Tests.Support;

/// <summary>
/// Marks a test class whose <see cref="ShopApp"/>s and <see cref="TestDatabase"/>s use the shared
/// PostgreSQL server and the shared Redis (<see cref="RedisServer.GetSharedAsync"/>) instead of SQLite files. An API test class is abstract with two nested
/// classes, <c>OnSqlite</c> and <c>OnPostgres : IOnPostgres</c>, so every test runs on both.
/// </summary>
public interface IOnPostgres;

/// <summary>
/// A database of the current test's backend that outlives one <see cref="ShopApp"/> (two instances
/// sharing it, a restart): a SQLite file in a temporary folder, or a fresh PostgreSQL database with a
/// Redis database of its own.
/// </summary>
public sealed class TestDatabase : IAsyncDisposable
{
    /// <summary>The <c>redis</c> setting that goes with each PostgreSQL database made here.</summary>
    private static readonly ConcurrentDictionary<string, string> RedisOfDatabase = new();

    private readonly TempFolder? _folder;

    private TestDatabase(string setting, string? redis, TempFolder? folder)
    {
        Setting = setting;
        Redis = redis;
        _folder = folder;
    }

    /// <summary>The <c>database</c> setting: a file path or a <c>postgresql://</c> URI.</summary>
    public string Setting { get; }

    /// <summary>The <c>redis</c> setting of the instances on this database: null on SQLite.</summary>
    public string? Redis { get; }

    /// <summary>The Redis that goes with a database made here (null for any other, and on SQLite).</summary>
    public static string? RedisOf(string database) => RedisOfDatabase.GetValueOrDefault(database);

    public bool OnPostgres => _folder is null;

    /// <summary>Whether the running test belongs to an <see cref="IOnPostgres"/> class.</summary>
    public static bool CurrentTestOnPostgres => TestContext.Current.TestClassInstance is IOnPostgres;

    public static async Task<TestDatabase> CreateAsync()
    {
        if (CurrentTestOnPostgres)
        {
            var database = await (await PostgresServer.GetAsync()).CreateDatabaseAsync();
            var redis = (await RedisServer.GetSharedAsync()).NextAddress();
            RedisOfDatabase[database] = redis;
            return new TestDatabase(database, redis, null);
        }
        var folder = new TempFolder();
        return new TestDatabase(folder.File("shop.db"), null, folder);
    }

    public async ValueTask DisposeAsync()
    {
        if (_folder is null)
        {
            RedisOfDatabase.TryRemove(Setting, out _);
            await (await PostgresServer.GetAsync()).DropDatabaseAsync(Setting);
        }
        else
        {
            try
            {
                _folder.Dispose();
            }
            catch (IOException)
            {
                // A file still held by a closing handle is left for the OS to clean up with /tmp.
            }
        }
    }
}
