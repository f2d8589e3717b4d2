using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Shop.Infrastructure.Data;

[assembly: AssemblyFixture(typeof(Shop.Tests.Support.PostgresServerLifetime))]

namespace Shop.Tests.Support;

/// <summary>
/// One real PostgreSQL server for the whole test run: <c>initdb</c> and <c>postgres</c> in a
/// temporary folder (as the user <c>postgres</c> when the tests run as root), on a free loopback
/// port, with <c>fsync</c> off. Started on first use; stopped by <see cref="PostgresServerLifetime"/>
/// at the end of the run. Every <see cref="ShopApp"/> on PostgreSQL gets a fresh database copied
/// from a migrated template (<c>CREATE DATABASE ... TEMPLATE</c>, a file copy), dropped after it.
/// Missing binaries skip the test, or fail it under <c>SHOP_REQUIRE_SERVICES=1</c>.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    public const string User = "shop";

    /// <summary>The password in every URI: tests check that it never reaches a log line.</summary>
    public const string Password = "pg-secret-7d1f";

    private const string Template = "shop_template";

    /// <summary>The account a server started by root runs as (Debian's postgresql package creates it).</summary>
    private const string ServiceUser = "postgres";

    private static readonly Lazy<Task<PostgresServer>> Shared = new(StartAsync);
    private static int _databases;

    private readonly ExternalServer _server;
    private readonly SemaphoreSlim _copying = new(1, 1);

    private PostgresServer(ExternalServer server) => _server = server;

    public int Port => _server.Port;

    /// <summary>The shared server, started on the first call.</summary>
    public static Task<PostgresServer> GetAsync() => Shared.Value;

    internal static async ValueTask StopAsync()
    {
        if (Shared.IsValueCreated && Shared.Value.IsCompletedSuccessfully)
        {
            await (await Shared.Value).DisposeAsync();
        }
    }

    /// <summary>The <c>database</c> setting for one of this server's databases.</summary>
    public string Uri(string database) => $"postgresql://{User}:{Password}@127.0.0.1:{Port}/{database}";

    /// <summary>A new database with the current schema; returns its <c>database</c> setting.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var name = $"shop_{Interlocked.Increment(ref _databases)}";
        // One copy at a time: PostgreSQL refuses to copy a template that another copy holds open.
        await _copying.WaitAsync();
        try
        {
            await ExecuteAsync($"CREATE DATABASE {name} TEMPLATE {Template}");
        }
        finally
        {
            _copying.Release();
        }
        return Uri(name);
    }

    /// <summary>Drops a database made by <see cref="CreateDatabaseAsync"/>, closing what still connects to it.</summary>
    public Task DropDatabaseAsync(string uri) =>
        ExecuteAsync($"DROP DATABASE IF EXISTS {new NpgsqlConnectionStringBuilder(PostgresUri.ToConnectionString(uri)).Database} WITH (FORCE)");

    /// <summary>The files that hold a database's tables, written out first (a checkpoint), for tests that look for secrets.</summary>
    public async Task<string[]> DataFilesAsync(string uri)
    {
        await ExecuteAsync("CHECKPOINT");
        var name = new NpgsqlConnectionStringBuilder(PostgresUri.ToConnectionString(uri)).Database;
        await using var connection = new NpgsqlConnection(ConnectionString("postgres"));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT oid FROM pg_database WHERE datname = @name", connection);
        command.Parameters.AddWithValue("name", name!);
        var oid = Convert.ToString(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture)!;
        return Directory.GetFiles(_server.PathOf(Path.Combine("data", "base", oid)));
    }

    /// <summary>Runs one statement on the server's maintenance database.</summary>
    public async Task ExecuteAsync(string sql, string database = "postgres")
    {
        await using var connection = new NpgsqlConnection(ConnectionString(database));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>An unpooled connection string: nothing stays connected after a test's own queries.</summary>
    public string ConnectionString(string database) => PostgresUri.ToConnectionString(Uri(database)) + ";Pooling=false";

    /// <summary>
    /// A server of the calling test's own, with one empty database <c>shop</c> (<see cref="Uri"/>):
    /// for a test that stops PostgreSQL while the shared server serves the others. Dispose it.
    /// </summary>
    public static async Task<PostgresServer> StartPrivateAsync()
    {
        var postgres = await StartServerAsync();
        await postgres.ExecuteAsync("CREATE DATABASE shop");
        return postgres;
    }

    /// <summary>Stops the server with a fast shutdown (open connections are ended, not waited for), keeping its data.</summary>
    public Task StopServerAsync() => _server.StopAsync(ExternalServer.Sigint);

    private static async Task<PostgresServer> StartAsync()
    {
        var postgres = await StartServerAsync();
        await postgres.ExecuteAsync($"CREATE DATABASE {Template}");
        var options = new DbContextOptionsBuilder<PostgresShopDb>();
        DataServices.ConfigurePostgres(options, postgres.ConnectionString(Template));
        await using (var db = new PostgresShopDb(options.Options))
        {
            await DataServices.MigrateAsync(db, CancellationToken.None);
        }
        return postgres;
    }

    private static async Task<PostgresServer> StartServerAsync()
    {
        var server = ExternalServer.Prepare("postgres", "/usr/lib/postgresql/*/bin");
        var bin = Path.GetDirectoryName(server.Binary)!;
        var runAs = Environment.UserName == "root" ? ServiceUser : null;
        var passwordFile = server.PathOf("password");
        await File.WriteAllTextAsync(passwordFile, Password);
        if (runAs is not null)
        {
            await RunAsync(ExternalServer.StartInfo("chown", ["-R", $"{runAs}:", server.Folder]));
        }
        await RunAsync(ExternalServer.StartInfo(Path.Combine(bin, "initdb"),
            ["-D", server.PathOf("data"), "-U", User, "--pwfile", passwordFile, "--auth=scram-sha-256",
             "-E", "UTF8", "--no-locale", "--no-sync", "--no-instructions"], runAs));
        await server.StartAsync(
            ["-D", server.PathOf("data"), "-p", server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
             "-k", server.Folder, "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "synchronous_commit=off",
             "-c", "full_page_writes=off", "-c", "max_connections=500"],
            runAs: runAs);
        var postgres = new PostgresServer(server);
        // The port accepts before the server does: until its start-up ends, a login gets 57P03.
        await Poll.UntilAsync(async () =>
        {
            try
            {
                await postgres.ExecuteAsync("SELECT 1");
                return true;
            }
            catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.CannotConnectNow)
            {
                return false;
            }
        }, "PostgreSQL past its start-up", TimeSpan.FromSeconds(60));
        return postgres;
    }

    private static async Task RunAsync(ProcessStartInfo start)
    {
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"{start.FileName} {string.Join(' ', start.ArgumentList)} failed ({process.ExitCode}):\n{await output}{await errors}");
    }

    public ValueTask DisposeAsync() => _server.DisposeAsync();
}

/// <summary>Stops the shared <see cref="PostgresServer"/>, if a test started it, when the test run ends.</summary>
public sealed class PostgresServerLifetime : IAsyncDisposable
{
    public ValueTask DisposeAsync() => PostgresServer.StopAsync();
}
