using System.Text.RegularExpressions;
using static Shop.Tests.Support.OrderTesting;

namespace Shop.Tests.Features.Orders;

/// <summary>Several instances on one database: each order is processed by exactly one of them.</summary>
public sealed partial class SharedDatabaseTests
{
    [GeneratedRegex(@"ordered .*: order (\d+), total")]
    private static partial Regex ConfirmedLine();

    [Fact]
    public async Task TwoInstancesWithWorkersShareTheQueueAndNeverProcessAnOrderTwice()
    {
        using var folder = new TempFolder();
        var database = folder.File("shop.db");
        await using var first = await ShopApp.StartAsync(s => s with { Database = database });
        await using var second = await ShopApp.StartAsync(s => s with { Database = database });
        using var admin = first.AdminClient();
        var goods = await CreateGoodsAsync(admin, "SHARED-1", stock: 50);
        var customers = new List<HttpClient>();
        for (var i = 0; i < 10; i++)
        {
            // Sessions live in the database, so a customer signed in on one instance is known to both.
            var token = await first.LogInAsync((await first.CreateUserAsync($"shared{i}")).Username);
            customers.Add((i % 2 == 0 ? first : second).BearerClient(token));
        }

        var locations = await Task.WhenAll(Enumerable.Range(0, 120).Select(i => PlaceAcceptedAsync(customers[i % 10], (goods, 1))));
        var orders = await Task.WhenAll(locations.Select(l => WaitUntilDoneAsync(admin, l, TimeSpan.FromSeconds(60))));

        Assert.All(orders, o => Assert.Contains((string?)o["status"], (string[])["confirmed", "rejected"]));
        var confirmed = orders.Where(o => (string?)o["status"] == "confirmed").Select(o => (long)o["id"]!).ToHashSet();
        Assert.Equal(50, confirmed.Count);
        Assert.Equal(0, await StockAsync(admin, goods));
        // Each confirmation is logged once, by the instance that made it: no order was confirmed twice.
        // The log is written asynchronously: wait until every confirmation has reached the files.
        var logged = await Poll.UntilAsync(async () => (await ShopApp.ReadLinesAsync(first.LogFile)).Concat(await ShopApp.ReadLinesAsync(second.LogFile))
                .Select(l => ConfirmedLine().Match(l)).Where(m => m.Success).Select(m => long.Parse(m.Groups[1].Value)).ToList(),
            lines => lines.Count >= confirmed.Count, "a confirmation line for every confirmed order", describe: lines => $"{lines.Count} lines");
        Assert.Equal(confirmed.Order(), logged.Order());
        customers.ForEach(c => c.Dispose());
    }
}
