using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using static Shop.Tests.Support.OrderTesting;

namespace Shop.Tests.Deploy;

/// <summary>
/// The cluster of <c>deploy/cluster.sh</c> — real nginx, three real instances on one database —
/// under bounded loads that stop by themselves, while instances are killed, stopped and replaced.
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

        var victim = cluster.InstancePid(cluster.InstancePorts[0]);
        var load = GetLoad.Start(cluster, $"/api/v1/goods/{goods}");
        await load.UntilSucceededAsync(200);
        Cluster.Signal(victim, "KILL");
        await Cluster.WaitForExitAsync(victim, TimeSpan.FromSeconds(10));
        await load.UntilSucceededAsync(load.Succeeded + 300);
        var failures = await load.StopAsync();

        Assert.True(failures.Count == 0, $"{failures.Count} of {load.Succeeded + failures.Count} GETs failed: {string.Join("; ", failures.Take(5))}");
        await RestartMissingAsync(cluster);
    }

    [Fact]
    public async Task GetLoadThroughNginxHasNoFailedRequestWhileAnInstanceIsStoppedWithTermAndStartedAgain()
    {
        var cluster = await ReadyClusterAsync();
        using var admin = await cluster.AdminAsync();
        var goods = await CreateGoodsAsync(admin, "CL-TERM-" + Guid.NewGuid().ToString("N")[..8], stock: 5);

        var port = cluster.InstancePorts[1];
        var stopping = cluster.InstancePid(port);
        var load = GetLoad.Start(cluster, $"/api/v1/goods/{goods}");
        await load.UntilSucceededAsync(200);
        Cluster.Signal(stopping, "TERM");
        await Cluster.WaitForExitAsync(stopping, TimeSpan.FromSeconds(60));
        await load.UntilSucceededAsync(load.Succeeded + 100);
        await RestartMissingAsync(cluster);
        Assert.NotEqual(stopping, cluster.InstancePid(port));
        await load.UntilSucceededAsync(load.Succeeded + 200);
        var failures = await load.StopAsync();

        Assert.True(failures.Count == 0, $"{failures.Count} of {load.Succeeded + failures.Count} GETs failed: {string.Join("; ", failures.Take(5))}");
        // The instance started again serves its share once more.
        Assert.Contains(Cluster.ReadShared(Path.Combine(cluster.LogsFolder, $"access-{port}.log")), line => line.Contains($"/api/v1/goods/{goods} ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task OrdersThroughNginxWhileAnInstanceIsKilledEndConfirmedOrRejectedOnceWithTheStockInvariant()
    {
        var cluster = await ReadyClusterAsync();
        using var admin = await cluster.AdminAsync();
        var tag = Guid.NewGuid().ToString("N")[..8];
        var (tea, cups) = (await CreateGoodsAsync(admin, $"CL-TEA-{tag}", stock: 60), await CreateGoodsAsync(admin, $"CL-CUP-{tag}", stock: 100_000));
        var customers = new List<HttpClient>();
        for (var i = 0; i < 8; i++)
        {
            customers.Add(await cluster.CustomerAsync($"cl-{tag}-{i}"));
        }

        var load = OrderLoad.Start(customers, tea, cups);
        await load.UntilAcceptedAsync(60);
        var victim = cluster.InstancePid(cluster.InstancePorts[2]);
        Cluster.Signal(victim, "KILL");
        await Cluster.WaitForExitAsync(victim, TimeSpan.FromSeconds(10));
        await load.UntilAcceptedAsync(load.Accepted.Count + 120);
        await load.StopAsync();
        TestContext.Current.TestOutputHelper?.WriteLine($"{load.Sent} POSTs, {load.Accepted.Count} accepted, {load.Failed.Count} failed: {string.Join("; ", load.Failed.Take(5))}");
        await RestartMissingAsync(cluster);

        await AssertOrdersSettledAsync(admin, load, tea, 60, cups, 100_000);
        foreach (var customer in customers)
        {
            customer.Dispose();
        }
    }

    [Fact]
    public async Task WriteThroughNginxIsSeenAtOnceByReadsThroughNginxOnEveryInstance()
    {
        var cluster = await ReadyClusterAsync();
        using var admin = await cluster.AdminAsync();
        using var reader = cluster.Client();
        var goods = await CreateGoodsAsync(admin, "CL-RW-" + Guid.NewGuid().ToString("N")[..8], stock: 5);
        // Warm every instance's cache with the first version.
        for (var i = 0; i < 6; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync($"/api/v1/goods/{goods}", Ct)).StatusCode);
        }

        for (var version = 1; version <= 15; version++)
        {
            using var patch = Http.Request(HttpMethod.Patch, $"/api/v1/goods/{goods}", $$"""{"name":"version {{version}}"}""");
            var written = await admin.SendAsync(patch, Ct);
            Assert.True(written.StatusCode == HttpStatusCode.OK, await written.Content.ReadAsStringAsync(Ct));
            // nginx spreads the reads round-robin, so three in a row reach every instance.
            for (var read = 0; read < 3; read++)
            {
                var seen = await (await reader.GetAsync($"/api/v1/goods/{goods}", Ct)).ReadJsonAsync();
                Assert.Equal($"version {version}", (string?)seen["name"]);
            }
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
        using var straight = Cluster.ClientOf(new Uri($"http://127.0.0.1:{cluster.InstancePorts[0]}"), IPAddress.Parse("127.0.0.2"));
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
        var tag = Guid.NewGuid().ToString("N")[..8];
        var (tea, cups) = (await CreateGoodsAsync(admin, $"CL-UPT-{tag}", stock: 40), await CreateGoodsAsync(admin, $"CL-UPC-{tag}", stock: 100_000));
        var customers = new List<HttpClient>();
        for (var i = 0; i < 4; i++)
        {
            customers.Add(await cluster.CustomerAsync($"clup-{tag}-{i}"));
        }
        var before = cluster.InstancePorts.Select(cluster.InstancePid).ToList();

        var gets = GetLoad.Start(cluster, $"/api/v1/goods/{tea}", clients: 4);
        var orders = OrderLoad.Start(customers, tea, cups);
        await gets.UntilSucceededAsync(100);
        var (exitCode, output) = await cluster.RunAsync("upgrade", "--build", AppContext.BaseDirectory);
        await gets.UntilSucceededAsync(gets.Succeeded + 100);
        var getFailures = await gets.StopAsync();
        await orders.StopAsync();

        Assert.True(exitCode == 0, output);
        Assert.DoesNotContain(cluster.InstancePorts.Select(cluster.InstancePid), before.Contains);
        Assert.True(getFailures.Count == 0, $"{getFailures.Count} GETs failed: {string.Join("; ", getFailures.Take(5))}");
        Assert.True(orders.Failed.Count == 0, $"{orders.Failed.Count} of {orders.Sent} POSTs failed: {string.Join("; ", orders.Failed.Take(5))}");
        await AssertOrdersSettledAsync(admin, orders, tea, 40, cups, 100_000);
        foreach (var customer in customers)
        {
            customer.Dispose();
        }
    }

    [Fact]
    public async Task UpThenDownLeavesNoProcessAndNoPortBehind()
    {
        await using var cluster = await Cluster.UpAsync(instances: 1);
        var pids = new List<int> { cluster.RecordedPid("nginx")!.Value, cluster.InstancePid(cluster.InstancePorts[0]) };
        // nginx's workers are the master's children.
        pids.AddRange(ChildrenOf(pids[0]));
        var ports = cluster.InstancePorts.Append(cluster.NginxPort).ToList();
        Assert.Contains(cluster.Url.ToString().TrimEnd('/'), cluster.UpOutput, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(cluster.Folder, "admin-password"), cluster.UpOutput, StringComparison.Ordinal);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(cluster.Folder, "admin-password")));
        Assert.DoesNotContain(cluster.AdminPassword, cluster.UpOutput, StringComparison.Ordinal);
        var (statusCode, status) = await cluster.RunAsync("status");
        Assert.True(statusCode == 0, status);
        Assert.Contains("/readyz 200", status, StringComparison.Ordinal);

        var (downCode, down) = await cluster.RunAsync("down");

        Assert.True(downCode == 0, down);
        Assert.All(pids, pid => Assert.False(Cluster.Runs(pid), $"process {pid} still runs"));
        Assert.All(ports, port => Assert.False(Listening(port), $"port {port} still accepts connections"));
        Assert.Equal(3, (await cluster.RunAsync("status")).ExitCode);
        // down removes nothing but its pid records: data and logs stay.
        Assert.True(File.Exists(Path.Combine(cluster.Folder, "data", "shop.db")));
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

    /// <summary>
    /// Every order ends confirmed or rejected, each accepted one once; the stock is what was set
    /// minus what the confirmed orders took; no POST made two orders.
    /// </summary>
    private static async Task AssertOrdersSettledAsync(HttpClient admin, OrderLoad load, long tea, int teaStock, long cups, int cupStock)
    {
        foreach (var location in load.Accepted)
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
        Assert.Equal(load.Accepted.Count, load.Accepted.Distinct().Count());
        Assert.All(load.Accepted, location => Assert.Single(ours, o => location.EndsWith($"/{(long)o["id"]!}", StringComparison.Ordinal)));
        Assert.True(ours.Count <= load.Sent, $"{ours.Count} orders from {load.Sent} POSTs");
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

    /// <summary>GETs through nginx from several clients until stopped; every answer but 200 is a failure.</summary>
    private sealed class GetLoad
    {
        private readonly ConcurrentQueue<string> _failures = new();
        private readonly CancellationTokenSource _stop = new(TimeSpan.FromSeconds(90));
        private readonly List<Task> _clients = [];
        private int _succeeded;

        public int Succeeded => Volatile.Read(ref _succeeded);

        public static GetLoad Start(Cluster cluster, string path, int clients = 6)
        {
            var load = new GetLoad();
            for (var i = 0; i < clients; i++)
            {
                load._clients.Add(Task.Run(() => load.RunAsync(cluster, path)));
            }
            return load;
        }

        private async Task RunAsync(Cluster cluster, string path)
        {
            using var client = cluster.Client();
            while (!_stop.IsCancellationRequested)
            {
                try
                {
                    using var response = await client.GetAsync(path, _stop.Token);
                    if (response.StatusCode == HttpStatusCode.OK)
                    {
                        Interlocked.Increment(ref _succeeded);
                    }
                    else
                    {
                        _failures.Enqueue($"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync(_stop.Token)}");
                    }
                }
                catch (OperationCanceledException) when (_stop.IsCancellationRequested)
                {
                    return;
                }
                catch (HttpRequestException ex)
                {
                    _failures.Enqueue(ex.Message);
                }
            }
        }

        /// <summary>Waits until that many GETs succeeded (bounded: the load itself stops after 90 s).</summary>
        public Task UntilSucceededAsync(int count) => Poll.UntilAsync(() => Succeeded >= count, $"{count} GETs succeeded", TimeSpan.FromSeconds(60));

        public async Task<List<string>> StopAsync()
        {
            await _stop.CancelAsync();
            await Task.WhenAll(_clients);
            _stop.Dispose();
            return [.. _failures];
        }
    }

    /// <summary>Orders through nginx, one client per customer, each POST with an Idempotency-Key of its own, until stopped.</summary>
    private sealed class OrderLoad
    {
        private readonly CancellationTokenSource _stop = new(TimeSpan.FromSeconds(90));
        private readonly List<Task> _clients = [];
        private int _sent;

        public ConcurrentQueue<string> Accepted { get; } = new();
        public ConcurrentQueue<string> Failed { get; } = new();
        public int Sent => Volatile.Read(ref _sent);

        public static OrderLoad Start(IReadOnlyList<HttpClient> customers, long tea, long cups)
        {
            var load = new OrderLoad();
            foreach (var (customer, index) in customers.Select((c, i) => (c, i)))
            {
                load._clients.Add(Task.Run(() => load.RunAsync(customer, index, tea, cups)));
            }
            return load;
        }

        private async Task RunAsync(HttpClient customer, int index, long tea, long cups)
        {
            for (var i = 0; !_stop.IsCancellationRequested; i++)
            {
                try
                {
                    Interlocked.Increment(ref _sent);
                    using var request = Http.Request(HttpMethod.Post, "/api/v1/orders", Body((tea, 1 + i % 2), (cups, 1 + index % 3)), ("Idempotency-Key", Guid.NewGuid().ToString("N")));
                    using var response = await customer.SendAsync(request, _stop.Token);
                    if (response.StatusCode == HttpStatusCode.Accepted)
                    {
                        Accepted.Enqueue(response.Headers.Location!.OriginalString);
                    }
                    else
                    {
                        Failed.Enqueue($"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync(_stop.Token)}");
                    }
                }
                catch (OperationCanceledException) when (_stop.IsCancellationRequested)
                {
                    // Stopped while a POST was on its way: it may or may not have made an order, which the totals count.
                    return;
                }
                catch (HttpRequestException ex)
                {
                    Failed.Enqueue(ex.Message);
                }
            }
        }

        public Task UntilAcceptedAsync(int count) => Poll.UntilAsync(() => Accepted.Count >= count, $"{count} orders accepted", TimeSpan.FromSeconds(60));

        public async Task StopAsync()
        {
            await _stop.CancelAsync();
            await Task.WhenAll(_clients);
            _stop.Dispose();
        }
    }
}
