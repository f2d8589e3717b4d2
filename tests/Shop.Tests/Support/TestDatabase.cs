
namespace Shop.Tests.Support;

/// <summary>
/// Marks a test class whose <see cref="ShopApp"/>s and <see cref="TestDatabase"/>s use the shared
/// PostgreSQL server instead of SQLite files. An API test class is abstract with two nested
/// classes, <c>OnSqlite</c> and <c>OnPostgres : IOnPostgres</c>, so every test runs on both.
/// </summary>
public interface IOnPostgres;

/// <summary>
/// A database of the current test's backend that outlives one <see cref="ShopApp"/> (two instances
/// sharing it, a restart): a SQLite file in a temporary folder, or a fresh PostgreSQL database.
/// </summary>
public sealed class TestDatabase : IAsyncDisposable
{
    private readonly TempFolder? _folder;

    private TestDatabase(string setting, TempFolder? folder)
    {
        Setting = setting;
        _folder = folder;
    }

    /// <summary>The <c>database</c> setting: a file path or a <c>postgresql://</c> URI.</summary>
    public string Setting { get; }

    public bool OnPostgres => _folder is null;

    /// <summary>Whether the running test belongs to an <see cref="IOnPostgres"/> class.</summary>
    public static bool CurrentTestOnPostgres => TestContext.Current.TestClassInstance is IOnPostgres;

    public static async Task<TestDatabase> CreateAsync()
    {
        if (CurrentTestOnPostgres)
        {
            return new TestDatabase(await (await PostgresServer.GetAsync()).CreateDatabaseAsync(), null);
        }
        var folder = new TempFolder();
        return new TestDatabase(folder.File("shop.db"), folder);
    }

    public async ValueTask DisposeAsync()
    {
        if (_folder is null)
        {
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
