using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using static Shop.Tests.Support.OrderTesting;

namespace Shop.Tests.Features.Orders;

/// <summary>
/// The queue's promise tested on the real service process: killed with SIGKILL while orders are
/// pending, restarted on the same database, it loses no accepted order and reserves stock once.
/// </summary>
public sealed class OrderCrashTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AcceptedOrdersSurviveASigkillOfTheServiceAndTheStockInvariantHolds()
    {
        var folder = Directory.CreateTempSubdirectory("shop-crash-").FullName;
        var environment = new Dictionary<string, string>
        {
            ["SHOP_DATABASE"] = Path.Combine(folder, "shop.db"),
            ["SHOP_LOG_FILE"] = Path.Combine(folder, "shop.log"),
            ["SHOP_SECRET_KEY"] = "crash-test-secret",
        };
        Process? service = null;
        try
        {
            Assert.Equal(0, await RunCliAsync(environment, ShopApp.Password, "users", "create", "boss", "--role", "admin"));
            // The first instance only accepts (queue_worker=false), so orders are certainly pending
            // when it is killed, however fast the machine; the restarted instance processes them.
            (service, var client) = await StartServeAsync(new Dictionary<string, string>(environment) { ["SHOP_QUEUE_WORKER"] = "false" });
            using var admin = await SignInAsync(client, "boss");
            var (tea, cups) = (await CreateGoodsAsync(admin, "CRASH-TEA", stock: 40), await CreateGoodsAsync(admin, "CRASH-CUP", stock: 1000));
            var customers = new List<HttpClient>();
            for (var i = 0; i < 10; i++)
            {
                Assert.Equal(HttpStatusCode.Created, (await client.PostAsync("/api/v1/users",
                    Http.Json(new JsonObject { ["username"] = $"crash{i}", ["password"] = ShopApp.Password }), Ct)).StatusCode);
                customers.Add(await SignInAsync(client, $"crash{i}"));
            }

            var accepted = await PlaceUntilKilledAsync(service, customers, tea, cups);
            var pendingAtKill = await CountPendingAsync(environment["SHOP_DATABASE"]);
            TestContext.Current.TestOutputHelper?.WriteLine($"{accepted.Count} orders accepted, {pendingAtKill} pending when killed");
            Assert.True(pendingAtKill >= accepted.Count, "every accepted order is still pending (some unanswered ones may be too)");
            Assert.True(pendingAtKill > 0, "no order was accepted before the kill");

            (service, client) = await StartServeAsync(environment);
            using var adminAgain = await SignInAsync(client, "boss");
            foreach (var location in accepted)
            {
                var order = await WaitUntilDoneAsync(adminAgain, location, TimeSpan.FromSeconds(60));
                Assert.Contains((string?)order["status"], (string[])["confirmed", "rejected"]);
            }
            var confirmed = (await AllOrdersAsync(adminAgain)).Where(o => (string?)o["status"] == "confirmed").ToList();
            Assert.Empty(await AllOrdersAsync(adminAgain, "&status=pending"));
            Assert.Equal(40 - Ordered(confirmed, tea), await StockAsync(adminAgain, tea));
            Assert.Equal(1000 - Ordered(confirmed, cups), await StockAsync(adminAgain, cups));
        }
        finally
        {
            if (service is { HasExited: false })
            {
                service.Kill();
                await service.WaitForExitAsync(Ct);
            }
            service?.Dispose();
            Directory.Delete(folder, recursive: true);
        }
    }

    private static int Ordered(IEnumerable<JsonNode> orders, long goodsId) =>
        orders.SelectMany(o => o["items"]!.AsArray()).Where(i => (long)i!["goods_id"]! == goodsId).Sum(i => (int)i!["quantity"]!);

    /// <summary>Places orders from many clients at once and kills the service with SIGKILL midway; returns the accepted ones.</summary>
    private static async Task<List<string>> PlaceUntilKilledAsync(Process service, List<HttpClient> customers, long tea, long cups)
    {
        var accepted = new ConcurrentQueue<string>();
        var workers = Enumerable.Range(0, 32).Select(w => Task.Run(async () =>
        {
            for (var i = 0; i < 30 && !service.HasExited; i++)
            {
                try
                {
                    var response = await PlaceAsync(customers[(w + i) % customers.Count], Body((tea, 1 + i % 2), (cups, 1 + w % 5)));
                    if (response.StatusCode == HttpStatusCode.Accepted)
                    {
                        accepted.Enqueue(response.Headers.Location!.OriginalString);
                    }
                }
                catch (HttpRequestException)
                {
                    return; // The service is gone; an unanswered order may or may not exist, and is checked through the totals.
                }
            }
        })).ToList();
        while (accepted.Count < 200 && workers.Any(w => !w.IsCompleted))
        {
            await Task.Delay(1, Ct);
        }
        service.Kill(); // SIGKILL: no shutdown hooks, no flush.
        await service.WaitForExitAsync(Ct);
        await Task.WhenAll(workers);
        return [.. accepted];
    }

    private static async Task<long> CountPendingAsync(string database)
    {
        await using var connection = new SqliteConnection($"Data Source={database};Mode=ReadOnly;Pooling=False");
        await connection.OpenAsync(Ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM orders WHERE Status = 'pending'";
        return (long)(await command.ExecuteScalarAsync(Ct))!;
    }

    private static async Task<HttpClient> SignInAsync(HttpClient anonymous, string username)
    {
        var response = await anonymous.PostAsync("/api/v1/sessions",
            Http.Json(new JsonObject { ["username"] = username, ["password"] = ShopApp.Password }), Ct);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var client = new HttpClient { BaseAddress = anonymous.BaseAddress };
        client.DefaultRequestHeaders.Authorization = new("Bearer", (string)(await response.ReadJsonAsync())["token"]!);
        return client;
    }

    private static ProcessStartInfo Shop(Dictionary<string, string> environment, params string[] args) =>
        ShopCommand.StartInfo(args, environment);

    private static async Task<int> RunCliAsync(Dictionary<string, string> environment, string input, params string[] args) =>
        (await ShopCommand.RunAsync(args, environment, input + "\n")).ExitCode;

    private static async Task<(Process, HttpClient)> StartServeAsync(Dictionary<string, string> environment)
    {
        var port = ExternalServer.FreePort();
        var process = Process.Start(Shop(environment, "serve", "--bind", $"127.0.0.1:{port}"))!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        await Poll.UntilAsync(async () =>
        {
            Assert.False(process.HasExited, "the service exited at start-up");
            try
            {
                return (await client.GetAsync("/healthz", Ct)).IsSuccessStatusCode;
            }
            catch (HttpRequestException)
            {
                return false; // Not listening yet.
            }
        }, "the service to answer /healthz");
        return (process, client);
    }
}
