using System.Diagnostics;
using System.Net;
using Microsoft.Data.Sqlite;

namespace Shop.Tests.Hosting;

public sealed class CliTests : IDisposable
{
    private readonly TempFolder _temp = new();

    private string Folder => _temp.Path;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private Dictionary<string, string> Environment(params (string Key, string Value)[] extra)
    {
        var environment = new Dictionary<string, string> { ["SHOP_DATABASE"] = Path.Combine(Folder, "shop.db") };
        foreach (var (key, value) in extra)
        {
            environment[key] = value;
        }
        return environment;
    }

    [Fact]
    public async Task RoutesPrintsEveryEndpointWithWhoMayCallIt()
    {
        var result = await ShopCommand.RunAsync(["routes"], Environment());

        Assert.Equal(0, result.ExitCode);
        var rows = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split(' ', 3, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList();
        Assert.Equal(["METHOD", "PATH", "WHO"], rows[0]);
        Assert.Contains(["GET", "/api/v1/goods", "anyone"], rows);
        Assert.Contains(["POST", "/api/v1/goods", "admin"], rows);
        Assert.Contains(["DELETE", "/api/v1/goods/{id:long}", "admin"], rows);
        Assert.Contains(["GET", "/healthz", "anyone"], rows);
        // Where the handler narrows the group's policy, the rule of the contract's table is shown.
        Assert.Contains(["GET", "/api/v1/orders/{id:long}", "owner, admin"], rows);
        Assert.Contains(["PATCH", "/api/v1/users/{id:long}", "self"], rows);
        Assert.Contains(["DELETE", "/api/v1/sessions/current", "bearer token"], rows);
        Assert.False(File.Exists(Path.Combine(Folder, "shop.db")), "routes must not touch the database");
    }

    [Theory]
    [InlineData("SHOP_LOG_LEVEL", "loud", "shop: error: log_level: must be one of debug, info, warning, error (got 'loud')")]
    [InlineData("SHOP_BIND", "nowhere", "shop: error: bind: 'nowhere' is not HOST:PORT (for example 127.0.0.1:5000 or [::1]:5000)")]
    [InlineData("SHOP_BIND", "127.0.0.1:70000", "shop: error: bind: '127.0.0.1:70000' has no PORT from 0 to 65535 (for example 127.0.0.1:5000 or [::1]:5000)")]
    [InlineData("SHOP_WORKERS", "many", "shop: error: workers: must be an integer from 1 to 64 (got 'many')")]
    [InlineData("SHOP_QUEUE_WORKER", "maybe", "shop: error: queue_worker: must be true or false (got 'maybe')")]
    [InlineData("SHOP_TRUSTED_PROXIES", "10.0.0.300", "shop: error: trusted_proxies: '10.0.0.300' is not an IP address")]
    [InlineData("SHOP_DATABASE", "/no/such/folder/shop.db", "shop: error: database: '/no/such/folder/shop.db' is not a usable SQLite file path (does its folder exist?)")]
    public async Task ABadSettingStopsStartUpWithOneLineNamingIt(string variable, string value, string message)
    {
        var result = await ShopCommand.RunAsync(["serve"], Environment((variable, value)));
        Assert.Equal(2, result.ExitCode);
        Assert.Equal(message, result.Stderr.TrimEnd('\n'));
    }

    [Fact]
    public async Task AnUnknownSettingInTheConfigFileIsNamed()
    {
        var config = Path.Combine(Folder, "shop.conf");
        await File.WriteAllTextAsync(config, "bnd = 127.0.0.1:5000\n", Ct);
        var result = await ShopCommand.RunAsync(["routes", "--config", config], Environment());
        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("shop: error: bnd: is not a setting", result.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("serve", "--bind")]
    [InlineData("routes", "--config")]
    [InlineData("migrate", "--config")]
    [InlineData("seed", "--goods")]
    public async Task EveryCommandHasHelp(string command, string option)
    {
        var result = await ShopCommand.RunAsync([command, "--help"], Environment());
        Assert.Equal(0, result.ExitCode);
        Assert.Contains(option, result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MigrateCreatesTheSchemaInWalMode()
    {
        var result = await ShopCommand.RunAsync(["migrate"], Environment());

        Assert.Equal(0, result.ExitCode);
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(Folder, "shop.db")};Pooling=False");
        await connection.OpenAsync(Ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode";
        Assert.Equal("wal", (string?)await command.ExecuteScalarAsync(Ct));
        command.CommandText = "SELECT count(*) FROM goods";
        Assert.Equal(0L, (long?)await command.ExecuteScalarAsync(Ct));
    }

    [Fact]
    public async Task SeedAddsTheGoodsOnceAndTheServiceListsThem()
    {
        var first = await ShopCommand.RunAsync(["seed", "--goods", "2500"], Environment());
        var second = await ShopCommand.RunAsync(["seed", "--goods", "2500"], Environment());

        Assert.Equal(0, first.ExitCode);
        Assert.StartsWith("Added 2500 goods", first.Stdout, StringComparison.Ordinal);
        Assert.StartsWith("Added 0 goods", second.Stdout, StringComparison.Ordinal);
        await using var shop = await ShopApp.StartAsync(s => s with { Database = Path.Combine(Folder, "shop.db") });
        var page = await (await shop.Client.GetAsync("/api/v1/goods?q=tea&per_page=1", Ct)).ReadJsonAsync();
        Assert.True((int)page["total"]! > 0);
        var all = await (await shop.Client.GetAsync("/api/v1/goods?per_page=1", Ct)).ReadJsonAsync();
        Assert.Equal(2500, (int)all["total"]!);
    }

    [Fact]
    public async Task ServeListensWritesThePidfileAndRemovesItOnTerm()
    {
        var port = ExternalServer.FreePort();
        var pidfile = Path.Combine(Folder, "shop.pid");
        using var process = Process.Start(ShopCommand.StartInfo(
            ["serve", "--bind", $"127.0.0.1:{port}", "--pidfile", pidfile, "--log-file", Path.Combine(Folder, "shop.log")], Environment()))!;
        try
        {
            await Poll.UntilAsync(() => File.Exists(pidfile), $"the pidfile {pidfile}");
            Assert.Equal($"{process.Id}\n", await File.ReadAllTextAsync(pidfile, Ct));
            using var client = new HttpClient();
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"http://127.0.0.1:{port}/readyz", Ct)).StatusCode);

            using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync(Ct);
            }
            await process.WaitForExitAsync(Ct);

            Assert.Equal(0, process.ExitCode);
            Assert.False(File.Exists(pidfile));
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill();
            }
        }
    }

    [Fact]
    public async Task FlagsBeatTheEnvironmentWhichBeatsTheConfigFile()
    {
        var port = ExternalServer.FreePort();
        var config = Path.Combine(Folder, "shop.json");
        await File.WriteAllTextAsync(config, $$"""{"bind": "127.0.0.1:1", "log_level": "error", "log_file": "{{Path.Combine(Folder, "file.log")}}"}""", Ct);
        using var process = Process.Start(ShopCommand.StartInfo(
            ["serve", "--config", config, "--bind", $"127.0.0.1:{port}"],
            Environment(("SHOP_LOG_LEVEL", "info"), ("SHOP_BIND", "127.0.0.1:2"))))!;
        try
        {
            // The flag's address answers (flag beats environment and file) ...
            using var client = new HttpClient();
            await Poll.UntilAsync(async () => (await TryGetAsync(client, $"http://127.0.0.1:{port}/healthz")) == HttpStatusCode.OK, $"/healthz on port {port}");
            // ... the environment's INFO level beats the file's ERROR, and the file's log_file is used.
            var lines = await ShopApp.WaitForLinesAsync(Path.Combine(Folder, "file.log"), l => l.Contains(" - INFO - ", StringComparison.Ordinal));
            Assert.Contains(lines, l => l.Contains($"Now listening on: http://127.0.0.1:{port}", StringComparison.Ordinal));
        }
        finally
        {
            process.Kill();
            await process.WaitForExitAsync(Ct);
        }
    }

    private static async Task<HttpStatusCode?> TryGetAsync(HttpClient client, string uri)
    {
        try
        {
            return (await client.GetAsync(uri, Ct)).StatusCode;
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }

    public void Dispose() => _temp.Dispose();
}
