using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using static Shop.Tests.Support.OrderTesting;

namespace Shop.Tests.Deploy;

/// <summary>
/// The cluster of <c>deploy/cluster.sh</c> — real nginx, three real instances (each a master with two
/// workers) on one database — under bounded loads that stop by themselves, while instances and
/// workers are killed, stopped and replaced.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class ClusterTests(ClusterFixture fixture) : IClassFixture<ClusterFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task GetLoadThroughNginxHasNoFailedRequestWhileAnInstanceIsSigkilled()
    {
        var cluster = await ReadyClusterAsync();
        using var admin = await cluster.AdminAsync();
        var goods = await CreateGoodsAsync(admin, "CL-KILL-" + Guid.NewGuid().ToString("N")[..8], stock: 5);

        var (load, clients) = GetLoad(cluster, $"/api/v1/goods/{goods}");
        await load.UntilSucceededAsync(200);
        await cluster.KillInstanceAsync(cluster.InstancePorts[0]);
        await load.UntilSucceededAsync(load.Succeeded.Count + 300);
        await load.StopAsync();
        clients.ForEach(c => c.Dispose());

        Assert.True(load.Failed.IsEmpty, load.Describe());
        await RestartMissingAsync(cluster);
    }

    [Fact]
    public async Task GetLoadThroughNginxHasNoFailedRequestWhileAWorkerOfAnInstanceIsSigkilled()
    {
        var cluster = await ReadyClusterAsync();
        using var admin = await cluster.AdminAsync();
        var goods = await CreateGoodsAsync(admin, "CL-WKILL-" + Guid.NewGuid().ToString("N")[..8], stock: 5);
        var port = cluster.InstancePorts[0];
        var master = cluster.InstancePid(port);
        var workers = cluster.WorkerPids(port);
        Assert.Equal(2, workers.Count);

        var (load, clients) = GetLoad(cluster, $"/api/v1/goods/{goods}");
        await load.UntilSucceededAsync(200);
        Cluster.Signal(workers[0], Cluster.Sigkill);
        await Cluster.WaitForExitAsync(workers[0], TimeSpan.FromSeconds(10));
        // The master starts another worker on the socket it kept; meanwhile the other worker serves.
        await Poll.UntilAsync(() => cluster.WorkerPids(port) is { Count: 2 } now && !now.Contains(workers[0]), "a new worker in place of the killed one", TimeSpan.FromSeconds(60));
        await load.UntilSucceededAsync(load.Succeeded.Count + 300);
        await load.StopAsync();
        clients.ForEach(c => c.Dispose());

        Assert.True(load.Failed.IsEmpty, load.Describe());
        Assert.Equal(master, cluster.InstancePid(port));
        var (statusCode, status) = await cluster.RunAsync("status");
        Assert.True(statusCode == 0, status);
        Assert.Contains($"workers of {port}: {string.Join(' ', cluster.WorkerPids(port))} (of 2)", status, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetLoadThroughNginxHasNoFailedRequestWhileAnInstanceIsStoppedWithTermAndStartedAgain()
    {
        var cluster = await ReadyClusterAsync();
        using var admin = await cluster.AdminAsync();
        var goods = await CreateGoodsAsync(admin, "CL-TERM-" + Guid.NewGuid().ToString("N")[..8], stock: 5);

        var port = cluster.InstancePorts[1];
        var stopping = cluster.InstancePid(port);
        var (load, clients) = GetLoad(cluster, $"/api/v1/goods/{goods}");
        await load.UntilSucceededAsync(200);
        Cluster.Signal(stopping, Cluster.Sigterm);
        await Cluster.WaitForExitAsync(stopping, TimeSpan.FromSeconds(60));
        await load.UntilSucceededAsync(load.Succeeded.Count + 100);
        await RestartMissingAsync(cluster);
        Assert.NotEqual(stopping, cluster.InstancePid(port));
        await load.UntilSucceededAsync(load.Succeeded.Count + 200);
        await load.StopAsync();
        clients.ForEach(c => c.Dispose());

        Assert.True(load.Failed.IsEmpty, load.Describe());
        // The instance started again serves its share once more.
        Assert.Contains(Cluster.ReadShared(Path.Combine(cluster.LogsFolder, $"access-{port}.log")), line => line.Contains($"/api/v1/goods/{goods} ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task OrdersThroughNginxWhileAnInstanceIsKilledEndConfirmedOrRejectedOnceWithTheStockInvariant()
    {
        var cluster = await ReadyClusterAsync();
        using var admin = await cluster.AdminAsync();
        var (tea, cups, customers) = await ShopFloorAsync(cluster, admin, teaStock: 60, customerCount: 8);

        var load = OrderLoad(customers, tea, cups);
        await load.UntilSucceededAsync(60);
        await cluster.KillInstanceAsync(cluster.InstancePorts[2]);
        await load.UntilSucceededAsync(load.Succeeded.Count + 120);
        await load.StopAsync();
        // POSTs in flight on the killed instance may fail (nginx does not repeat them); none is doubled.
        TestContext.Current.TestOutputHelper?.WriteLine(load.Describe());
        await RestartMissingAsync(cluster);

        await AssertOrdersSettledAsync(admin, load, tea, 60, cups, 100_000);
        foreach (var customer in customers)
        {
            customer.Dispose();
        }
    }

    [Fact]
    public async Task WriteThroughNginxIsSeenWithinFiftyMillisecondsByReadsThroughNginxOnEveryInstance()
    {
        var cluster = await ReadyClusterAsync();
        using var admin = await cluster.AdminAsync();
        using var reader = cluster.Client();
        var goods = await CreateGoodsAsync(admin, "CL-RW-" + Guid.NewGuid().ToString("N")[..8], stock: 5);
        // Warm every instance's cache with the first version.
        string? before = null;
        for (var i = 0; i < 6; i++)
        {
            before = (string?)(await (await reader.GetAsync($"/api/v1/goods/{goods}", Ct)).ReadJsonAsync())["name"];
        }

        var grace = (long)(0.050 * Stopwatch.Frequency);
        for (var version = 1; version <= 15; version++)
        {
            using var patch = Http.Request(HttpMethod.Patch, $"/api/v1/goods/{goods}", $$"""{"name":"version {{version}}"}""");
            var written = await admin.SendAsync(patch, Ct);
            Assert.True(written.StatusCode == HttpStatusCode.OK, await written.Content.ReadAsStringAsync(Ct));
            var answered = Stopwatch.GetTimestamp();
            // nginx spreads the reads round-robin, so three in a row reach every instance: read until
            // three began 50 ms after the answer. A read may show the version before (another
            // instance catches up within the cache lag), never an older one, and none after the 50 ms.
            for (var late = 0; late < 3;)
            {
                var started = Stopwatch.GetTimestamp();
                var name = (string?)(await (await reader.GetAsync($"/api/v1/goods/{goods}", Ct)).ReadJsonAsync())["name"];
                if (started - answered > grace)
                {
                    Assert.Equal($"version {version}", name);
                    late++;
                }
                else
                {
                    Assert.Contains(name, (string?[])[$"version {version}", before]);
                }
            }
            before = $"version {version}";
        }
        var servedBy = cluster.InstancePorts.Count(port => Cluster.ReadShared(Path.Combine(cluster.LogsFolder, $"access-{port}.log"))
            .Any(line => line.Contains($"\"GET /api/v1/goods/{goods} ", StringComparison.Ordinal)));
        Assert.True(servedBy >= 2, $"the reads reached {servedBy} instance(s)");
    }

    [Fact]
    public async Task ClientsOwnXForwardedForIsNotBelievedThroughNginxNorStraightFromAnUntrustedAddress()
    {
        var cluster = await ReadyClusterAsync();
        // The client speaks from 127.0.0.2; the instances trust only 127.0.0.1, nginx's address.
        using var throughNginx = cluster.Client(IPAddress.Parse("127.0.0.2"));
        using var straight = LoopbackClient.Create(new Uri($"http://127.0.0.1:{cluster.InstancePorts[0]}"), IPAddress.Parse("127.0.0.2"));
        var (viaNginx, direct) = ($"cl-xff-{Guid.NewGuid():N}"[..24], $"cl-xff-{Guid.NewGuid():N}"[..24]);

        foreach (var (client, id) in new[] { (throughNginx, viaNginx), (straight, direct) })
        {
            using var request = Http.Request(HttpMethod.Get, "/api/v1/goods?per_page=1", headers: [("X-Forwarded-For", "203.0.113.7"), ("X-Request-Id", id)]);
            Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(request, Ct)).StatusCode);
        }

        foreach (var id in new[] { viaNginx, direct })
        {
            var line = await WaitForLineAsync(cluster.InstanceAccessLines, id);
            Assert.StartsWith("127.0.0.2 ", line, StringComparison.Ordinal);
        }
        Assert.StartsWith("127.0.0.2 ", await WaitForLineAsync(() => Cluster.ReadShared(Path.Combine(cluster.LogsFolder, "shop.access.log")), viaNginx), StringComparison.Ordinal);
    }

    [Fact]
    public async Task UpgradeReplacesEveryInstanceUnderLoadWithoutAFailedRequestOrALostOrder()
    {
        var cluster = await ReadyClusterAsync();
        using var admin = await cluster.AdminAsync();
        var (tea, cups, customers) = await ShopFloorAsync(cluster, admin, teaStock: 40, customerCount: 4);
        var before = cluster.InstancePorts.Select(cluster.InstancePid).ToList();

        var (gets, getClients) = GetLoad(cluster, $"/api/v1/goods/{tea}", clients: 4);
        var orders = OrderLoad(customers, tea, cups);
        await gets.UntilSucceededAsync(100);
        var (exitCode, output) = await cluster.RunAsync("upgrade", "--build", AppContext.BaseDirectory);
        TestContext.Current.TestOutputHelper?.WriteLine(output);
        await gets.UntilSucceededAsync(gets.Succeeded.Count + 100);
        await gets.StopAsync();
        await orders.StopAsync();
        getClients.ForEach(c => c.Dispose());

        Assert.True(exitCode == 0, output);
        Assert.DoesNotContain(cluster.InstancePorts.Select(cluster.InstancePid), before.Contains);
        Assert.True(gets.Failed.IsEmpty, "GETs: " + gets.Describe());
        Assert.True(orders.Failed.IsEmpty, "orders: " + orders.Describe());
        await AssertOrdersSettledAsync(admin, orders, tea, 40, cups, 100_000);
        foreach (var customer in customers)
        {
            customer.Dispose();
        }
    }

    [Fact]
    public async Task UpThenDownLeavesNoProcessAndNoPortBehind()
    {
        // Beside the shared cluster, which runs meanwhile: the two take ports of their own.
        await using var cluster = await Cluster.UpAsync(instances: 1, workers: 2);
        var shared = await fixture.GetAsync();
        Assert.Empty(cluster.InstancePorts.Append(cluster.NginxPort).Intersect(shared.InstancePorts.Append(shared.NginxPort)));
        var pids = new List<int> { cluster.RecordedPid("nginx")!.Value, cluster.InstancePid(cluster.InstancePorts[0]) };
        // nginx's workers are the master's children; so are Shop's.
        pids.AddRange(ChildrenOf(pids[0]));
        var workers = cluster.WorkerPids(cluster.InstancePorts[0]);
        Assert.Equal(2, workers.Count);
        pids.AddRange(workers);
        var ports = cluster.InstancePorts.Append(cluster.NginxPort).ToList();
        Assert.Contains(cluster.Url.ToString().TrimEnd('/'), cluster.UpOutput, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(cluster.Folder, "admin-password"), cluster.UpOutput, StringComparison.Ordinal);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(cluster.Folder, "admin-password")));
        Assert.DoesNotContain(cluster.AdminPassword, cluster.UpOutput, StringComparison.Ordinal);
        var (statusCode, status) = await cluster.RunAsync("status");
        Assert.True(statusCode == 0, status);
        Assert.Contains("/readyz 200", status, StringComparison.Ordinal);
        Assert.Contains($"workers of {cluster.InstancePorts[0]}: {string.Join(' ', workers)} (of 2)", status, StringComparison.Ordinal);

        var (downCode, down) = await cluster.RunAsync("down");

        Assert.True(downCode == 0, down);
        Assert.All(pids, pid => Assert.False(Cluster.Runs(pid), $"process {pid} still runs"));
        Assert.All(ports, port => Assert.False(Listening(port), $"port {port} still accepts connections"));
        Assert.Equal(3, (await cluster.RunAsync("status")).ExitCode);
        // down removes nothing but its pid records: data and logs stay.
        Assert.True(File.Exists(Path.Combine(cluster.Folder, "data", "shop.db")) || File.Exists(Path.Combine(cluster.Folder, "postgres", "data", "PG_VERSION")));
        Assert.True(File.Exists(Path.Combine(cluster.LogsFolder, $"shop-{cluster.InstancePorts[0]}.log")));
    }

    /// <summary>The shared cluster with every instance running (a test that failed midway may have left one stopped).</summary>
    private async Task<Cluster> ReadyClusterAsync()
    {
        var cluster = await fixture.GetAsync();
        await RestartMissingAsync(cluster);
        return cluster;
    }

    private static async Task RestartMissingAsync(Cluster cluster)
    {
        var (exitCode, output) = await cluster.RunAsync("up");
        Assert.True(exitCode == 0, output);
    }

    /// <summary>Scarce tea (some orders are rejected), plenty of cups, and signed-in customers, all made through nginx.</summary>
    private static async Task<(long Tea, long Cups, List<HttpClient> Customers)> ShopFloorAsync(Cluster cluster, HttpClient admin, int teaStock, int customerCount)
    {
        var tag = Guid.NewGuid().ToString("N")[..8];
        var tea = await CreateGoodsAsync(admin, $"CL-TEA-{tag}", stock: teaStock);
        var cups = await CreateGoodsAsync(admin, $"CL-CUP-{tag}", stock: 100_000);
        var customers = new List<HttpClient>();
        for (var i = 0; i < customerCount; i++)
        {
            customers.Add(await cluster.CustomerAsync($"cl-{tag}-{i}"));
        }
        return (tea, cups, customers);
    }

    /// <summary>
    /// Every order ends confirmed or rejected, each accepted one once; the stock is what was set
    /// minus what the confirmed orders took; no POST made two orders.
    /// </summary>
    private static async Task AssertOrdersSettledAsync(HttpClient admin, Load load, long tea, int teaStock, long cups, int cupStock)
    {
        var accepted = load.Succeeded.ToList();
        foreach (var location in accepted)
        {
            var order = await WaitUntilDoneAsync(admin, location, TimeSpan.FromSeconds(60));
            Assert.Contains((string?)order["status"], (string[])["confirmed", "rejected"]);
        }
        // Orders whose answer was lost with a killed instance may exist too: they are settled as well.
        var ours = await Poll.UntilAsync(
            async () => (await AllOrdersAsync(admin)).Where(o => o["items"]!.AsArray().Any(i => (long)i!["goods_id"]! == tea)).ToList(),
            orders => orders.All(o => (string?)o["status"] != "pending"), "every order confirmed or rejected", TimeSpan.FromSeconds(60),
            orders => $"{orders.Count(o => (string?)o["status"] == "pending")} pending");
        Assert.DoesNotContain(ours, o => (string?)o["status"] == "pending");
        Assert.Equal(accepted.Count, accepted.Distinct().Count());
        Assert.All(accepted, location => Assert.Single(ours, o => location.EndsWith($"/{(long)o["id"]!}", StringComparison.Ordinal)));
        // A resend carries its first sending's Idempotency-Key: at most one order per distinct POST.
        Assert.True(ours.Count <= load.Sent - load.Resent, $"{ours.Count} orders from {load.Sent - load.Resent} distinct POSTs");
        var confirmed = ours.Where(o => (string?)o["status"] == "confirmed").ToList();
        Assert.Equal(teaStock - Ordered(confirmed, tea), await StockAsync(admin, tea));
        Assert.Equal(cupStock - Ordered(confirmed, cups), await StockAsync(admin, cups));
    }

    private static int Ordered(IEnumerable<JsonNode> orders, long goodsId) =>
        orders.SelectMany(o => o["items"]!.AsArray()).Where(i => (long)i!["goods_id"]! == goodsId).Sum(i => (int)i!["quantity"]!);

    private static Task<string?> WaitForLineAsync(Func<IEnumerable<string>> lines, string requestId) =>
        Poll.UntilAsync(() => Task.FromResult(lines().FirstOrDefault(l => l.EndsWith(" " + requestId, StringComparison.Ordinal))),
            line => line is not null, $"an access-log line ending with {requestId}", describe: _ => "none");

    private static IEnumerable<int> ChildrenOf(int parent) =>
        Directory.GetDirectories("/proc").Select(Path.GetFileName).Where(name => name!.All(char.IsAsciiDigit)).Select(name => int.Parse(name!, System.Globalization.CultureInfo.InvariantCulture))
            .Where(pid =>
            {
                try
                {
                    var stat = File.ReadAllText($"/proc/{pid}/stat");
                    return int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture) == parent;
                }
                catch (IOException)
                {
                    return false;
                }
            })
            .ToList();

    private static bool Listening(int port)
    {
        using var client = new System.Net.Sockets.TcpClient();
        try
        {
            client.Connect(IPAddress.Loopback, port);
            return true;
        }
        catch (System.Net.Sockets.SocketException)
        {
            return false;
        }
    }

    /// <summary>GETs of <paramref name="path"/> through nginx from several clients of their own.</summary>
    private static (Load Load, List<HttpClient> Clients) GetLoad(Cluster cluster, string path, int clients = 6)
    {
        var all = Enumerable.Range(0, clients).Select(_ => cluster.Client()).ToList();
        return (Load.Start(all, (_, _) => new HttpRequestMessage(HttpMethod.Get, path), HttpStatusCode.OK), all);
    }

    /// <summary>
    /// Orders through nginx, one sender per customer, each POST with an Idempotency-Key of its own
    /// (the same one when the load sends it again, so a resent order is never doubled).
    /// </summary>
    private static Load OrderLoad(List<HttpClient> customers, long tea, long cups)
    {
        var run = Guid.NewGuid().ToString("N");
        return Load.Start(customers, (sender, n) => Http.Request(HttpMethod.Post, "/api/v1/orders", Body((tea, 1 + n % 2), (cups, 1 + sender % 3)),
            ("Idempotency-Key", $"{run}-{sender}-{n}")), HttpStatusCode.Accepted);
    }
}
