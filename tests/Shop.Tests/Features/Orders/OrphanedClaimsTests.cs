using System.Data.Common;
using System.Diagnostics;
using Microsoft.Data.Sqlite;
using Npgsql;
using Shop.Features.Orders;
using Shop.Infrastructure.Data;
using static Shop.Tests.Support.OrderTesting;

namespace Shop.Tests.Features.Orders;

/// <summary>Items held by a worker whose process is gone are taken back at once, not after the lease.</summary>
public abstract class OrphanedClaimsTests
{
    public sealed class OnSqlite : OrphanedClaimsTests;

    public sealed class OnPostgres : OrphanedClaimsTests, IOnPostgres;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>The id of a process of this machine that has certainly ended.</summary>
    private static async Task<int> DeadProcessIdAsync()
    {
        using var process = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
        await process.WaitForExitAsync(Ct);
        return process.Id;
    }

    /// <summary>Claims the order for <paramref name="worker"/> from outside the service, as another instance's worker would.</summary>
    private static async Task ClaimAsync(string database, string worker, long orderId)
    {
        // Unquoted names and @parameters read the same on both databases.
        await using DbConnection connection = PostgresUri.IsPostgres(database)
            ? new NpgsqlConnection(PostgresUri.ToConnectionString(database) + ";Pooling=false")
            : new SqliteConnection($"Data Source={database};Pooling=False");
        await connection.OpenAsync(Ct);
        await using var claim = connection.CreateCommand();
        // Claimed for another hour: only taking the claim back can finish the order in time.
        claim.CommandText = "UPDATE orders SET ClaimedBy = @worker, LeaseUntil = @until, Attempts = 1 WHERE Id = @id";
        foreach (var (name, value) in new (string, object)[] { ("@worker", worker), ("@until", DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeMilliseconds()), ("@id", orderId) })
        {
            var parameter = claim.CreateParameter();
            (parameter.ParameterName, parameter.Value) = (name, value);
            claim.Parameters.Add(parameter);
        }
        Assert.Equal(1, await claim.ExecuteNonQueryAsync(Ct));
    }

    [Fact]
    public async Task AnOrderHeldByADeadWorkerOfThisMachineIsConfirmedAtOnceAfterARestart()
    {
        await using var shared = await TestDatabase.CreateAsync();
        var database = shared.Setting;
        string location;
        long goods;
        // An accept-only instance stores the order; a "worker" that then died holds its claim.
        await using (var first = await ShopApp.StartAsync(s => s with { Database = database, QueueWorker = false }))
        {
            using var admin = first.AdminClient();
            goods = await CreateGoodsAsync(admin, "ORPHAN-1", stock: 5);
            using var ivy = await first.SignInAsync("ivy");
            location = await PlaceAcceptedAsync(ivy, (goods, 2));
        }
        await ClaimAsync(database, $"{Environment.MachineName}/{await DeadProcessIdAsync()}/deadbeef", long.Parse(location.Split('/')[^1]));

        await using var second = await ShopApp.StartAsync(s => s with { Database = database });
        using var ivyAgain = second.BearerClient(await second.LogInAsync("ivy", ShopApp.Password));

        var order = await WaitUntilDoneAsync(ivyAgain, location, TimeSpan.FromSeconds(15));
        Assert.Equal("confirmed", (string?)order["status"]);
        Assert.Equal(3, await StockAsync(ivyAgain, goods));
        await second.WaitForLogAsync(l => l.Contains("held by", StringComparison.Ordinal) && l.Contains("a process that is gone", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AnOrderHeldByALiveWorkerIsLeftToIt()
    {
        // Accept-only: nothing but this test runs the queue, so each step below is one worker round.
        await using var shop = await ShopApp.StartAsync(s => s with { QueueWorker = false });
        using var admin = shop.AdminClient();
        var goods = await CreateGoodsAsync(admin, "ORPHAN-2", stock: 5);
        using var jay = await shop.SignInAsync("jay");
        var location = await PlaceAcceptedAsync(jay, (goods, 1));
        // The test process itself is alive: its claim must be respected until its lease ends.
        await ClaimAsync(shop.Settings.Database, $"{Environment.MachineName}/{Environment.ProcessId}/alive", long.Parse(location.Split('/')[^1]));
        var queue = shop.App.Services.GetRequiredService<OrderQueue>();

        Assert.Equal(0, await queue.ReleaseOrphanedClaimsAsync(Ct));
        Assert.Equal(0, await queue.RunOnceAsync(Ct));
        Assert.Equal("pending", (string?)(await (await jay.GetAsync(location, Ct)).ReadJsonAsync())["status"]);
        Assert.Equal(5, await StockAsync(jay, goods));
    }

    [Fact]
    public async Task AnOrderHeldByADeadWorkerIsTakenBackByTheOrphanCheck()
    {
        await using var shop = await ShopApp.StartAsync(s => s with { QueueWorker = false });
        using var admin = shop.AdminClient();
        var goods = await CreateGoodsAsync(admin, "ORPHAN-3", stock: 5);
        using var kim = await shop.SignInAsync("kim");
        var location = await PlaceAcceptedAsync(kim, (goods, 1));
        await ClaimAsync(shop.Settings.Database, $"{Environment.MachineName}/{await DeadProcessIdAsync()}/dead", long.Parse(location.Split('/')[^1]));
        var queue = shop.App.Services.GetRequiredService<OrderQueue>();

        Assert.Equal(1, await queue.ReleaseOrphanedClaimsAsync(Ct));
        Assert.Equal(1, await queue.RunOnceAsync(Ct));
        Assert.Equal("confirmed", (string?)(await (await kim.GetAsync(location, Ct)).ReadJsonAsync())["status"]);
    }
}
