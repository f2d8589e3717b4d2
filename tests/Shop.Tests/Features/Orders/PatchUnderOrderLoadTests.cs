using System.Collections.Concurrent;
using System.Net;
using static Shop.Tests.Support.OrderTesting;

namespace Shop.Tests.Features.Orders;

/// <summary>
/// "Last writer wins" under heavy order traffic: a PATCH without If-Match of goods whose stock two
/// instances' queue workers keep taking lands every time (it retries its short write), never a 409.
/// </summary>
public abstract class PatchUnderOrderLoadTests
{
    public sealed class OnSqlite : PatchUnderOrderLoadTests;

    public sealed class OnPostgres : PatchUnderOrderLoadTests, IOnPostgres;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task APatchWithoutIfMatchOfGoodsBeingOrderedOnTwoInstancesAlwaysLandsAndNeverAnswers409()
    {
        await using var shared = await TestDatabase.CreateAsync();
        var database = shared.Setting;
        await using var first = await ShopApp.StartAsync(s => s with { Database = database });
        await using var second = await ShopApp.StartAsync(s => s with { Database = database });
        using var admin = first.AdminClient();
        var goods = await CreateGoodsAsync(admin, "PATCH-LOAD", stock: 1_000_000);
        var customers = new List<HttpClient>();
        for (var i = 0; i < 6; i++)
        {
            var token = await first.LogInAsync((await first.CreateUserAsync($"patchload{i}")).Username);
            customers.Add((i % 2 == 0 ? first : second).BearerClient(token));
        }

        using var stop = new CancellationTokenSource();
        var settled = new ConcurrentQueue<string?>();
        // Each customer orders again as soon as the last order is settled: a steady load whose backlog stays small.
        var orderers = customers.Select(customer => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var order = await WaitUntilDoneAsync(customer, await PlaceAcceptedAsync(customer, (goods, 1)), TimeSpan.FromSeconds(60));
                settled.Enqueue((string?)order["status"]);
            }
        })).ToList();
        // The load is on: orders are being confirmed (each takes stock, so the goods' version moves).
        await Poll.UntilAsync(async () => await StockAsync(admin, goods) < 1_000_000 - 20, "orders taking stock");

        var stockBefore = await StockAsync(admin, goods);
        var answers = new List<(HttpStatusCode Status, string Body)>();
        using var otherAdmin = second.AdminClient();
        for (var i = 0; i < 40; i++)
        {
            var client = i % 2 == 0 ? admin : otherAdmin;
            using var patch = Http.Request(HttpMethod.Patch, $"/api/v1/goods/{goods}", $$"""{"name":"renamed {{i}}"}""");
            using var response = await client.SendAsync(patch, Ct);
            answers.Add((response.StatusCode, await response.Content.ReadAsStringAsync(Ct)));
        }
        var confirmedMeanwhile = stockBefore - await StockAsync(admin, goods);
        await stop.CancelAsync();
        await Task.WhenAll(orderers);

        Assert.All(answers, a => Assert.True(a.Status == HttpStatusCode.OK, $"{(int)a.Status} {a.Body}"));
        Assert.Equal("renamed 39", (string?)(await (await admin.GetAsync($"/api/v1/goods/{goods}", Ct)).ReadJsonAsync())["name"]);
        // The orders went on meanwhile, and every one of them was confirmed with the stock it took.
        Assert.True(confirmedMeanwhile > 0, "no order was confirmed during the PATCHes");
        Assert.All(settled, status => Assert.Equal("confirmed", status));
        Assert.Equal(1_000_000 - settled.Count, await StockAsync(admin, goods));
        customers.ForEach(c => c.Dispose());
    }
}
