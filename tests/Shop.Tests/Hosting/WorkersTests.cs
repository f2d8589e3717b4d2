using System.Diagnostics;
using System.Net;

namespace Shop.Tests.Hosting;

/// <summary>
/// <c>serve --workers N</c> as a gunicorn user drives it: real master and worker processes of the
/// built executable, real signals, a real load, bounded waits.
/// </summary>
public sealed partial class WorkersTests : IDisposable
{
    private readonly TempFolder _temp = new();

    private string Folder => _temp.Path;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ThreeWorkersServeAndAKilledOneIsReplacedWithinTwoSeconds()
    {
        await using var shop = await ShopMaster.StartAsync(Folder, ["-w", "3"]);
        var workers = await shop.WaitForNewWorkersAsync([], 3);
        Assert.Equal("shop: master", ShopMaster.Comm(shop.Process.Id));
        Assert.All(workers, pid => Assert.Equal("shop: worker", ShopMaster.Comm(pid)));
        const int clients = 4;
        await using var load = new Load(shop.BaseAddress, getters: clients);
        await load.WaitForAnswersAsync(50);

        var victim = workers[1];
        await ShopMaster.SignalAsync(victim, "KILL");
        await Poll.UntilAsync(() => shop.WorkerPids() is { Count: 3 } now && !now.Contains(victim), "a new worker within 2 s", TimeSpan.FromSeconds(2));
        var replaced = await shop.WaitForNewWorkersAsync([victim], 3);
        await load.WaitForAnswersAsync(50);
        await load.StopAsync();

        Assert.Equal(workers.Where(w => w != victim), replaced.Intersect(workers));
        // Only what was in flight on the killed worker may fail: at most one request per client.
        Assert.True(load.Failures.Count <= clients, string.Join("\n", load.Failures));
    }

    [Fact]
    public async Task TtinAndTtouAddAndRemoveAWorkerUsr1KeepsThemAllAndTheyLeaveWithTheirMaster()
    {
        await using var shop = await ShopMaster.StartAsync(Folder, ["-w", "2"]);
        var workers = await shop.WaitForNewWorkersAsync([], 2);

        await shop.SignalAsync("TTIN");
        var three = await shop.WaitForNewWorkersAsync([], 3);
        await shop.SignalAsync("TTOU");
        await Poll.UntilAsync(() => shop.WorkerPids().Count == 2, "two workers after TTOU", ShopMaster.StartLimit);
        await shop.SignalAsync("USR1");
        await ShopApp.WaitForLinesAsync(shop.LogFile, l => l.Contains("the workers reopen theirs", StringComparison.Ordinal));

        Assert.Equal(3, three.Count);
        Assert.True(await shop.AnswersAsync());
        // USR1 is no reason for a worker to die (its default action), nor for the master to replace one.
        Assert.Equal(2, shop.WorkerPids().Count);
        Assert.Subset(three.ToHashSet(), shop.WorkerPids().ToHashSet());
        Assert.NotEqual(workers, three);

        // Workers leave when their master is gone, however it went.
        var orphans = shop.WorkerPids();
        await shop.SignalAsync("KILL");
        await Poll.UntilAsync(() => orphans.All(pid => !ShopMaster.IsAlive(pid)), "workers stop after their master was killed", ShopMaster.StartLimit);
    }

    [Fact]
    public async Task HupAndAChangedConfigFileReplaceEveryWorkerUnderLoadWithoutAFailedRequest()
    {
        var goods = await PrepareGoodsAsync();
        var config = Path.Combine(Folder, "gun.conf");
        await File.WriteAllTextAsync(config, "workers = 2\ngraceful_timeout = 20\n", Ct);
        await using var shop = await ShopMaster.StartAsync(Folder, ["-c", config, "--reload"]);
        var first = await shop.WaitForNewWorkersAsync([], 2);
        // Enough clients that a worker's stop meets kept-alive connections between two requests.
        await using var load = new Load(shop.BaseAddress, getters: 6, goods, orderers: 2);
        await load.WaitForAnswersAsync(30);

        var second = first;
        for (var reload = 0; reload < 3; reload++)
        {
            await shop.SignalAsync("HUP");
            second = await shop.WaitForNewWorkersAsync(second, 2);
            await load.WaitForAnswersAsync(30);
        }
        await File.AppendAllTextAsync(config, "# changed: --reload replaces the workers\n", Ct);
        var third = await shop.WaitForNewWorkersAsync(second, 2);
        await load.WaitForAnswersAsync(30);
        await load.StopAsync();

        Assert.Empty(load.Failures);
        Assert.Empty(third.Intersect(first));
        Assert.NotEmpty(load.AcceptedOrders);
        await AssertAllConfirmedAsync(shop.Client, load.AcceptedOrders);
    }

    [Fact]
    public async Task TermUnderLoadAnswersWhatIsInFlightLosesNoOrderAndRemovesThePidfile()
    {
        var goods = await PrepareGoodsAsync();
        await using (var shop = await ShopMaster.StartAsync(Folder, ["-w", "2", "--graceful-timeout", "20"]))
        {
            var workers = await shop.WaitForNewWorkersAsync([], 2);
            await using var load = new Load(shop.BaseAddress, getters: 3, goods, orderers: 2);
            await load.WaitForAnswersAsync(30);

            var term = DateTime.UtcNow;
            await shop.SignalAsync("TERM");
            await Poll.UntilAsync(() => shop.Process.HasExited, "the master exits within graceful_timeout", TimeSpan.FromSeconds(25));
            await load.StopAsync();

            Assert.Equal(0, shop.Process.ExitCode);
            Assert.False(File.Exists(shop.Pidfile));
            Assert.All(workers, pid => Assert.False(ShopMaster.IsAlive(pid)));
            // Every request sent before TERM is answered; after it, new connections are refused.
            Assert.Empty(load.FailuresStartedBefore(term));
            Assert.NotEmpty(load.AcceptedOrders);
            await using var again = await ShopMaster.StartAsync(Folder, []);
            await AssertAllConfirmedAsync(again.Client, load.AcceptedOrders);
        }
    }

    [Fact]
    public async Task DaemonReturnsOnceItAnswersTheSeedsGunConfNamesTheProcessesAndKillStopsEverything()
    {
        var port = ExternalServer.FreePort();
        var pidfile = Path.Combine(Folder, "app.pid");
        var config = Path.Combine(Folder, "gun.conf");
        await File.WriteAllTextAsync(config, ConfigFileTests.SeedGunConf
            .Replace("127.0.0.1:5078", $"127.0.0.1:{port}", StringComparison.Ordinal)
            .Replace("/tmp/app.pid", pidfile, StringComparison.Ordinal), Ct);

        var result = await ShopCommand.RunAsync(["serve", "-c", config, "-w", "2", "-D"], ShopMaster.Environment(Folder), workingDirectory: Folder);

        Assert.True(result.ExitCode == 0, result.Stderr);
        var master = int.Parse(await File.ReadAllTextAsync(pidfile, Ct), System.Globalization.CultureInfo.InvariantCulture);
        try
        {
            Assert.Equal("app: master", ShopMaster.Comm(master));
            using var client = new HttpClient();
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"http://127.0.0.1:{port}/healthz", Ct)).StatusCode);
            var workers = ShopMaster.ChildrenOf(master);
            Assert.Equal(2, workers.Count);
            Assert.All(workers, pid => Assert.Equal("app: worker", ShopMaster.Comm(pid)));

            await ShopMaster.SignalAsync(master, "TERM");
            await Poll.UntilAsync(() => !ShopMaster.IsAlive(master) && workers.All(w => !ShopMaster.IsAlive(w)), "master and workers stop", TimeSpan.FromSeconds(40));
            Assert.False(File.Exists(pidfile));
        }
        finally
        {
            if (ShopMaster.IsAlive(master))
            {
                Process.GetProcessById(master).Kill();
            }
        }
    }

    [Fact]
    public async Task TheSeedsGunConfWithOneWorkerIsOneProcessNamedByProcName()
    {
        var config = Path.Combine(Folder, "gun.conf");
        await File.WriteAllTextAsync(config, ConfigFileTests.SeedGunConf, Ct);

        // The flags the test host adds (a free port, a pidfile in the test's folder) beat the file's.
        await using var shop = await ShopMaster.StartAsync(Folder, ["-c", config]);

        Assert.Equal("app", ShopMaster.Comm(shop.Process.Id));
        Assert.Empty(shop.WorkerPids());
    }

    [Fact]
    public async Task ABadValueInTheConfigFileIsOneLineNamingTheSetting()
    {
        var config = Path.Combine(Folder, "gun.conf");
        await File.WriteAllTextAsync(config, ConfigFileTests.SeedGunConf + "workers = 'many'\n", Ct);

        var result = await ShopCommand.RunAsync(["serve", "-c", config], ShopMaster.Environment(Folder));

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("shop: error: workers: must be an integer from 1 to 64 (got 'many')", result.Stderr.TrimEnd('\n'));
    }

    [Fact]
    public async Task MetricsCountTheRequestsOfEveryWorkerAndIntStopsQuickly()
    {
        await using var shop = await ShopMaster.StartAsync(Folder, ["-w", "3"]);
        await shop.WaitForNewWorkersAsync([], 3);
        const int requests = 60;
        for (var i = 0; i < requests; i++)
        {
            // A new connection each time, so the workers share the requests.
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/goods?per_page=1");
            request.Headers.ConnectionClose = true;
            Assert.Equal(HttpStatusCode.OK, (await shop.Client.SendAsync(request, Ct)).StatusCode);
        }

        double counted = 0;
        await Poll.UntilAsync(async () =>
        {
            counted = (await PrometheusText.ScrapeAsync(shop.Client))
                .Where("http_server_request_duration_seconds_count", ("http_route", "/api/v1/goods")).Sum(s => s.Value);
            return counted >= requests;
        }, "every worker's requests in /metrics", TimeSpan.FromSeconds(30));
        Assert.Equal(requests, counted);

        await shop.SignalAsync("INT");
        await Poll.UntilAsync(() => shop.Process.HasExited, "a quick stop", TimeSpan.FromSeconds(10));
        Assert.Equal(0, shop.Process.ExitCode);
    }

    [Fact]
    public async Task AWorkerThatStopsBeatingIsReplacedAfterTimeout()
    {
        var stuckFile = Path.Combine(Folder, "stuck");
        await using var shop = await ShopMaster.StartAsync(Folder, ["-w", "2", "--timeout", "5"],
            ("SHOP_TEST_ONLY_STOP_HEARTBEAT_WHILE", stuckFile));
        var stuck = shop.WorkerPids();

        await File.WriteAllTextAsync(stuckFile, "", Ct);
        await Poll.UntilAsync(() => !shop.WorkerPids().Intersect(stuck).Any(), "stuck workers replaced", ShopMaster.StartLimit);

        // The master's log goes through an asynchronous writer: a worker can be gone before the line
        // that says why is in the file.
        foreach (var pid in stuck)
        {
            await ShopApp.WaitForLinesAsync(shop.LogFile,
                l => l.Contains($"Worker {pid} sent no heartbeat for 5 s (timeout); killing it", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task ReloadReplacesEveryWorkerUnderLoadWithoutAFailedRequestWhenANewBuildIsDeployed()
    {
        var build = BuildCopy.Create(Folder);
        var goods = await PrepareGoodsAsync();
        await using var shop = await ShopMaster.StartAsync(build.Dll, Folder, ["-w", "2", "--reload", "--graceful-timeout", "20"]);
        var first = await shop.WaitForNewWorkersAsync([], 2);
        await using var load = new Load(shop.BaseAddress, getters: 3, goods, orderers: 2);
        await load.WaitForAnswersAsync(30);

        build.Deploy();
        var second = await shop.WaitForNewWorkersAsync(first, 2);
        await load.WaitForAnswersAsync(30);
        await load.StopAsync();

        Assert.Empty(load.Failures);
        Assert.Contains("Reloading (a changed file)", await File.ReadAllTextAsync(shop.LogFile, Ct), StringComparison.Ordinal);
        Assert.Empty(second.Intersect(first));
        Assert.NotEmpty(load.AcceptedOrders);
        await AssertAllConfirmedAsync(shop.Client, load.AcceptedOrders);
    }

    [Fact]
    public async Task AWorkerThatKeepsDyingAtStartUpIsRestartedWithAGrowingDelayWhileTheOthersServe()
    {
        var build = BuildCopy.Create(Folder);
        await using var shop = await ShopMaster.StartAsync(build.Dll, Folder, ["-w", "2"]);
        var workers = await shop.WaitForNewWorkersAsync([], 2);

        // The executable on disk breaks (a deployment cut off halfway); the running processes keep
        // what they loaded, a worker started now loads the broken file and exits before it is ready.
        build.Break();
        await ShopMaster.SignalAsync(workers[0], "KILL");
        var failures = await Poll.UntilAsync(async () => BootFailure().Matches(await File.ReadAllTextAsync(shop.LogFile, Ct)),
            matches => matches.Count >= 3, "three failed starts", ShopMaster.StartLimit, matches => $"{matches.Count}");
        Assert.True(await shop.AnswersAsync());
        Assert.Contains(workers[1], shop.WorkerPids());

        build.Deploy();
        var replaced = await shop.WaitForNewWorkersAsync([workers[0]], 2);

        Assert.Equal(["0.5", "1", "2"], failures.Take(3).Select(m => m.Groups["delay"].Value));
        Assert.Equal(3, failures.Take(3).Select(m => m.Groups["pid"].Value).Distinct().Count());
        Assert.Contains(workers[1], replaced);
    }

    [Fact]
    public async Task TheMasterStopsWithAClearErrorWhenItsFirstWorkersCannotBoot()
    {
        var build = BuildCopy.Create(Folder);
        var pidfile = Path.Combine(Folder, "shop.pid");
        using var master = Process.Start(ShopCommand.StartInfo(["serve", "--bind", $"127.0.0.1:{ExternalServer.FreePort()}", "-w", "2", "--pidfile", pidfile],
            ShopMaster.Environment(Folder), Folder, build.Dll))!;
        var stderr = master.StandardError.ReadToEndAsync(Ct);
        _ = master.StandardOutput.ReadToEndAsync(Ct);
        try
        {
            // The master has loaded the executable (it binds, migrates, then starts its workers); the
            // file on disk, the one its workers start from, breaks now.
            await Poll.UntilAsync(() => master.HasExited || build.LoadedBy(master.Id), "the master loaded shop.dll", ShopMaster.StartLimit);
            build.Break();
            await Poll.UntilAsync(() => master.HasExited || File.Exists(pidfile), "the master stops", ShopMaster.StartLimit);
            Assert.False(File.Exists(pidfile), "the workers booted before the executable broke");
            await master.WaitForExitAsync(Ct);

            Assert.Equal(1, master.ExitCode);
            // The workers' own complaints (the .NET host's) come first; the master's line ends it.
            Assert.Matches(@"^shop: error: workers: worker \d+ exited with code -?\d+ before it was ready \(its error is in the log above or in the log file\)$",
                (await stderr).TrimEnd('\n').Split('\n')[^1]);
            Assert.Contains("; the master stops", await File.ReadAllTextAsync(Path.Combine(Folder, "shop.log"), Ct), StringComparison.Ordinal);
        }
        finally
        {
            if (!master.HasExited)
            {
                master.Kill(entireProcessTree: true);
            }
        }
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"Worker (?<pid>\d+) exited with code -?\d+ before it was ready; the next start waits (?<delay>[0-9.]+) s")]
    private static partial System.Text.RegularExpressions.Regex BootFailure();

    [Fact]
    public async Task TwoWorkersAppendWholeLinesToOneLogOfEachKindAndAfterRmUsr1MovesEveryProcessToNewFiles()
    {
        // At debug level every request and every queue poll writes lines, so both logs are written
        // by both workers (and the service log by the master) at once.
        await using var shop = await ShopMaster.StartAsync(Folder, ["-w", "2", "--log-level", "debug"]);
        var workers = await shop.WaitForNewWorkersAsync([], 2);
        IReadOnlyList<int> everyone = [shop.Process.Id, .. workers];
        AssertEachWrites(everyone, shop.LogFile);
        AssertEachWrites(workers, shop.AccessLogFile);
        await AssertWholeLinesUnderLoadAsync(shop);

        // An operator removes the logs (logrotate moves them) and sends USR1 to the master alone.
        File.Delete(shop.LogFile);
        File.Delete(shop.AccessLogFile);
        await shop.SignalAsync("USR1");
        await ShopApp.WaitForLinesAsync(shop.LogFile, l => l.Contains($"USR1: the master {shop.Process.Id} reopened its log files", StringComparison.Ordinal));
        foreach (var worker in workers)
        {
            await ShopApp.WaitForLinesAsync(shop.LogFile, l => l.Contains($"USR1: process {worker} reopened its log files", StringComparison.Ordinal));
        }

        AssertEachWrites(everyone, shop.LogFile);
        AssertEachWrites(workers, shop.AccessLogFile);
        await AssertWholeLinesUnderLoadAsync(shop);
        Assert.Equal(workers, shop.WorkerPids());
    }

    /// <summary>Every process in <paramref name="pids"/> has <paramref name="path"/> open, and none a removed file of that name.</summary>
    private static void AssertEachWrites(IReadOnlyList<int> pids, string path)
    {
        foreach (var pid in pids)
        {
            var open = Directory.EnumerateFileSystemEntries($"/proc/{pid}/fd")
                .Select(fd => new FileInfo(fd).LinkTarget)
                .Where(target => target is not null && target.StartsWith(path, StringComparison.Ordinal))
                .ToList();
            Assert.True(open.Contains(path) && !open.Contains($"{path} (deleted)"), $"process {pid} writes {path}: {string.Join(", ", open)}");
        }
    }

    /// <summary>
    /// Sends requests on new connections (so both workers take some) from several clients at once; then
    /// every one is in the access log, and every line of both logs is whole.
    /// </summary>
    private static async Task AssertWholeLinesUnderLoadAsync(ShopMaster shop)
    {
        const int clients = 4;
        const int each = 50;
        await Task.WhenAll(Enumerable.Range(0, clients).Select(_ => Task.Run(async () =>
        {
            for (var i = 0; i < each; i++)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/goods?per_page=2");
                request.Headers.ConnectionClose = true;
                using var response = await shop.Client.SendAsync(request, Ct);
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            }
        }, Ct)));

        var access = await Poll.UntilAsync(() => CompleteLinesAsync(shop.AccessLogFile),
            lines => lines.Count(l => l.Contains("\"GET /api/v1/goods?per_page=2 HTTP/1.1\" 200 ", StringComparison.Ordinal)) >= clients * each,
            "every request in the access log", describe: lines => string.Join("\n", lines.TakeLast(5)));
        Assert.Equal(clients * each, access.Count(l => l.Contains("\"GET /api/v1/goods?per_page=2 HTTP/1.1\" 200 ", StringComparison.Ordinal)));
        Assert.All(access, line => Assert.Matches(AccessLine, line));
        var service = await CompleteLinesAsync(shop.LogFile);
        Assert.True(service.Length > clients * each, $"{service.Length} service log lines");
        Assert.All(service, line => Assert.Matches(ServiceLine, line));
    }

    private static readonly System.Text.RegularExpressions.Regex AccessLine = new(
        """^\S+ - \S+ \[\d\d/\w{3}/\d{4}:\d\d:\d\d:\d\d [+-]\d{4}\] "[^"]*" \d{3} (\d+|-) "[^"]*" "[^"]*" \d+\.\d{6} \S+$""");

    private static readonly System.Text.RegularExpressions.Regex ServiceLine = new(
        @"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} - (DEBUG|INFO|WARNING|ERROR|CRITICAL) - \S+ - \S+ - \S+ - ");

    /// <summary>The lines of a log being written, without the one a write may be putting there right now.</summary>
    private static async Task<string[]> CompleteLinesAsync(string path)
    {
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream, System.Text.Encoding.UTF8);
        var text = await reader.ReadToEndAsync(Ct);
        return text[..(text.LastIndexOf('\n') + 1)].Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    /// <summary>A database with the test admin (<see cref="ShopApp.AdminKey"/>) and goods with plenty of stock.</summary>
    private async Task<long> PrepareGoodsAsync()
    {
        await using var app = await ShopApp.StartAsync(s => s with { Database = Path.Combine(Folder, "shop.db") });
        return await OrderTesting.CreateGoodsAsync(app.AdminClient(), "load-tea", 1_000_000);
    }

    private static async Task AssertAllConfirmedAsync(HttpClient client, IReadOnlyList<string> orders)
    {
        client.DefaultRequestHeaders.Remove("X-API-Key");
        client.DefaultRequestHeaders.Add("X-API-Key", ShopApp.AdminKey);
        foreach (var location in orders)
        {
            var order = await OrderTesting.WaitUntilDoneAsync(client, location, TimeSpan.FromSeconds(60));
            Assert.Equal("confirmed", (string?)order["status"]);
        }
    }

    public void Dispose() => _temp.Dispose();
}
