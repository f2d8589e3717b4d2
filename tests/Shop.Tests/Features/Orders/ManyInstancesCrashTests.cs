using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using static Shop.Tests.Support.OrderTesting;

namespace Shop.Tests.Features.Orders;

/// <summary>
/// The queue's promise with many instances on one PostgreSQL: orders spread over three real
/// <c>shop serve</c> processes, one of them SIGKILLed in the middle. No accepted order is lost,
/// none is confirmed twice, and stock = set − confirmed.
/// </summary>
public sealed partial class ManyInstancesCrashTests : IOnPostgres
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [GeneratedRegex(@"ordered .*: order (\d+), total")]
    private static partial Regex ConfirmedLine();

    [Fact]
    public async Task OrdersSpreadOverThreeInstancesSurviveASigkillOfOneAndTheStockInvariantHolds()
    {
        await using var database = await TestDatabase.CreateAsync();
        using var folder = new TempFolder();
        var environment = new Dictionary<string, string> { ["SHOP_DATABASE"] = database.Setting, ["SHOP_SECRET_KEY"] = "many-instances-secret" };
        var created = await ShopCommand.RunAsync(["users", "create", "boss", "--role", "admin"], environment, ShopApp.Password + "\n");
        Assert.True(created.ExitCode == 0, created.Stderr);
        var instances = new List<ServeProcess>();
        try
        {
            foreach (var name in (string[])["a", "b", "c"])
            {
                instances.Add(await ServeProcess.StartAsync(environment, folder.File($"{name}.log")));
            }
            var (survivor, victim) = (instances[0], instances[1]);
            using var admin = survivor.BearerClient(await LogInAsync(survivor, "boss"));
            var (tea, cups) = (await CreateGoodsAsync(admin, "MANY-TEA", stock: 60), await CreateGoodsAsync(admin, "MANY-CUP", stock: 1000));
            var customers = new List<HttpClient>();
            for (var i = 0; i < 9; i++)
            {
                var signUp = await survivor.Client.PostAsync("/api/v1/users",
                    Http.Json(new JsonObject { ["username"] = $"many{i}", ["password"] = ShopApp.Password }), Ct);
                Assert.Equal(HttpStatusCode.Created, signUp.StatusCode);
                // A session lives in the database: the token of one instance is good on all.
                var instance = instances[i % 3];
                customers.Add(instance.BearerClient(await LogInAsync(survivor, $"many{i}")));
            }

            var accepted = await PlaceWhileKillingAsync(victim, customers, tea, cups);
            Assert.True(accepted.Count > 0, "no order was accepted");
            foreach (var location in accepted)
            {
                var order = await WaitUntilDoneAsync(admin, location, TimeSpan.FromSeconds(90));
                Assert.Contains((string?)order["status"], (string[])["confirmed", "rejected"]);
            }
            var all = await AllOrdersAsync(admin);
            // Orders the victim stored but could not answer are still processed by the others.
            foreach (var pending in all.Where(o => (string?)o["status"] == "pending"))
            {
                Assert.NotEqual("pending", (string?)(await WaitUntilDoneAsync(admin, $"/api/v1/orders/{pending["id"]}", TimeSpan.FromSeconds(90)))["status"]);
            }
            all = await AllOrdersAsync(admin);
            var confirmed = all.Where(o => (string?)o["status"] == "confirmed").ToList();
            Assert.Equal(60 - Ordered(confirmed, tea), await StockAsync(admin, tea));
            Assert.Equal(1000 - Ordered(confirmed, cups), await StockAsync(admin, cups));
            // A confirmation is logged once, after its commit, by the instance that made it: no
            // order id appears in two logs (the victim's log may lack lines it had no time to write).
            var logged = instances.SelectMany(i => ReadShared(i.LogFile).Select(l => ConfirmedLine().Match(l)).Where(m => m.Success)
                .Select(m => long.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture))).ToList();
            Assert.Equal(logged.Count, logged.Distinct().Count());
            Assert.Subset(confirmed.Select(o => (long)o["id"]!).ToHashSet(), logged.ToHashSet());
            customers.ForEach(c => c.Dispose());
        }
        finally
        {
            foreach (var instance in instances)
            {
                await instance.DisposeAsync();
            }
        }
    }

    private static int Ordered(IEnumerable<JsonNode> orders, long goodsId) =>
        orders.SelectMany(o => o["items"]!.AsArray()).Where(i => (long)i!["goods_id"]! == goodsId).Sum(i => (int)i!["quantity"]!);

    /// <summary>Places orders from every customer at once and SIGKILLs the victim once 100 are accepted.</summary>
    private static async Task<List<string>> PlaceWhileKillingAsync(ServeProcess victim, List<HttpClient> customers, long tea, long cups)
    {
        var accepted = new ConcurrentQueue<string>();
        var placing = Enumerable.Range(0, 27).Select(w => Task.Run(async () =>
        {
            for (var i = 0; i < 12; i++)
            {
                try
                {
                    var response = await PlaceAsync(customers[w % customers.Count], Body((tea, 1 + i % 2), (cups, 1 + w % 5)));
                    if (response.StatusCode == HttpStatusCode.Accepted)
                    {
                        accepted.Enqueue(response.Headers.Location!.OriginalString);
                    }
                }
                catch (HttpRequestException)
                {
                    // The victim is gone; an unanswered order may or may not exist, and is checked through the totals.
                }
            }
        })).ToList();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (accepted.Count < 100 && placing.Any(p => !p.IsCompleted) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(5, Ct);
        }
        await victim.KillAsync();
        await Task.WhenAll(placing);
        return [.. accepted];
    }

    private static async Task<string> LogInAsync(ServeProcess instance, string username)
    {
        var response = await instance.Client.PostAsync("/api/v1/sessions",
            Http.Json(new JsonObject { ["username"] = username, ["password"] = ShopApp.Password }), Ct);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (string)(await response.ReadJsonAsync())["token"]!;
    }

    private static string[] ReadShared(string path)
    {
        if (!File.Exists(path))
        {
            return [];
        }
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd().Split('\n');
    }
}
