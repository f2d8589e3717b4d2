using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using Shop.Tests.Deploy;
using Shop.Tests.Hosting;
using static Shop.Tests.Support.OrderTesting;

namespace Shop.Tests.Features.Operations;

/// <summary>
/// A database on a disk that fills up: a real <c>shop serve</c> whose SQLite file lives on a small
/// tmpfs of its own, mounted in a private mount namespace (<c>unshare --user --map-root-user --mount</c>:
/// no root needed where the kernel allows user namespaces, and nothing mounted on the machine), filled
/// by the test through <c>/proc/PID/root</c>, the namespace's view of the files.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class FullDiskTests : IDisposable
{
    private const string Size = "4m";
    private readonly TempFolder _temp = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task WritesOnAFullDiskAnswer503NamingStorageReadinessFailsOneErrorIsLoggedAndAllRecoversWithRoom()
    {
        var data = Path.Combine(_temp.Path, "data");
        var seed = Path.Combine(_temp.Path, "seed");
        Directory.CreateDirectory(data);
        Directory.CreateDirectory(seed);
        // A database with the test admin, copied onto the tmpfs before the service starts.
        await (await ShopApp.StartAsync(s => s with { Database = Path.Combine(seed, "shop.db") })).DisposeAsync();
        var (shop, client) = await ServeOnOwnTmpfsAsync(data, ShopMaster.Environment(_temp.Path, ("SHOP_DATABASE", Path.Combine(data, "shop.db"))), seed);
        try
        {
            using var admin = new HttpClient { BaseAddress = client.BaseAddress, Timeout = client.Timeout };
            admin.DefaultRequestHeaders.Add("X-API-Key", ShopApp.AdminKey);
            using var customer = await CustomerAsync(client);
            var tea = await CreateGoodsAsync(admin, "FULL-TEA", stock: 100);
            var accepted = await PlaceAcceptedAsync(customer, (tea, 2));
            Assert.Equal("confirmed", (string?)(await WaitUntilDoneAsync(customer, accepted))["status"]);

            // Everything left on the disk goes to one file.
            var filler = $"/proc/{shop.Id}/root{data}/filler";
            Fill(filler);
            var created = new List<string>();
            HttpResponseMessage full;
            for (var i = 0; ; i++)
            {
                full = await admin.PostAsync("/api/v1/goods", Http.Json(GoodsJson($"FULL-{i}")), Ct);
                if (full.StatusCode != HttpStatusCode.Created)
                {
                    break;
                }
                // The database's own files may hold a little room still (a reused write-ahead log).
                created.Add($"FULL-{i}");
                Assert.True(i < 2_000, "writes kept succeeding on a full disk");
            }

            await full.AssertProblemAsync(503, "Storage is full: nothing was changed; try again later");
            Assert.Equal("60", full.Headers.RetryAfter?.ToString());
            await (await client.GetAsync("/readyz", Ct)).AssertProblemAsync(503, "Not ready: storage is full");
            for (var i = 0; i < 5; i++)
            {
                await (await admin.PostAsync("/api/v1/goods", Http.Json(GoodsJson($"NEVER-{i}")), Ct)).AssertProblemAsync(503, "Storage is full: nothing was changed; try again later");
            }
            var refused = await PlaceAsync(customer, Body((tea, 1)));
            await refused.AssertProblemAsync(503);
            // Reads go on.
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/api/v1/goods/{tea}", Ct)).StatusCode);

            File.Delete(filler);
            var after = await admin.PostAsync("/api/v1/goods", Http.Json(GoodsJson("AFTER")), Ct);
            Assert.Equal(HttpStatusCode.Created, after.StatusCode);
            var later = await PlaceAcceptedAsync(customer, (tea, 3));
            Assert.Equal("confirmed", (string?)(await WaitUntilDoneAsync(customer, later))["status"]);

            // Nothing half-written: exactly the goods whose POST answered 201, the order accepted
            // before the disk filled is still confirmed, and the stock counts the confirmed orders only.
            var skus = (await (await admin.GetAsync("/api/v1/goods?per_page=100&sort=id", Ct)).ReadJsonAsync())["items"]!.AsArray()
                .Select(g => (string)g!["sku"]!).ToList();
            Assert.Equal(["FULL-TEA", .. created, "AFTER"], skus);
            Assert.Equal("confirmed", (string?)(await (await customer.GetAsync(accepted, Ct)).ReadJsonAsync())["status"]);
            Assert.Equal(100 - 2 - 3, await StockAsync(admin, tea));
            // One ERROR for the failed writes and one for readiness turning 503, none per request, no stack trace.
            var errors = Cluster.ReadShared(Path.Combine(_temp.Path, "shop.log")).Where(l => l.Contains(" - ERROR - ", StringComparison.Ordinal)).ToList();
            Assert.Single(errors, l => l.Contains(" - Storage is full: writes fail until there is room on the disk of the database", StringComparison.Ordinal));
            Assert.Single(errors, l => l.Contains(" - Not ready: storage is full", StringComparison.Ordinal));
            Assert.Equal(2, errors.Count);
            Assert.DoesNotContain(Cluster.ReadShared(Path.Combine(_temp.Path, "shop.log")), l => l.StartsWith("   at ", StringComparison.Ordinal));
        }
        finally
        {
            await StopAsync(shop, client);
        }
    }

    [Fact]
    public async Task LogFilesOnAFullDiskLoseWholeLinesOnlyWhileTheServiceServesAndWriteAgainWithRoom()
    {
        var logs = Path.Combine(_temp.Path, "logs");
        Directory.CreateDirectory(logs);
        var (shop, client) = await ServeOnOwnTmpfsAsync(logs, ShopMaster.Environment(_temp.Path,
            ("SHOP_LOG_FILE", Path.Combine(logs, "shop.log")), ("SHOP_ACCESS_LOGFILE", Path.Combine(logs, "access.log"))));
        try
        {
            var inside = $"/proc/{shop.Id}/root{logs}";

            Fill(Path.Combine(inside, "filler"));
            for (var i = 0; i < 200; i++)
            {
                using var request = Http.Request(HttpMethod.Get, "/api/v1/goods?per_page=1", headers: [("X-Request-Id", $"while-full-{i}")]);
                Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(request, Ct)).StatusCode);
            }
            File.Delete(Path.Combine(inside, "filler"));
            using (var request = Http.Request(HttpMethod.Get, "/api/v1/goods?per_page=1", headers: [("X-Request-Id", "with-room-again")]))
            {
                Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(request, Ct)).StatusCode);
            }

            var access = Path.Combine(inside, "access.log");
            await Poll.UntilAsync(() => File.ReadAllText(access).Contains(" with-room-again\n", StringComparison.Ordinal), "the line written with room again");
            var text = File.ReadAllText(access);
            Assert.EndsWith("\n", text, StringComparison.Ordinal);
            // Every line is one whole request's line: none was cut off, none runs into another.
            Assert.All(text.Split('\n', StringSplitOptions.RemoveEmptyEntries),
                line => Assert.Matches(@"^127\.0\.0\.1 - - \[[^\]]+\] ""GET /[^""]*"" 200 .* \S+$", line));
            Assert.True(await AnswersAsync(client));
        }
        finally
        {
            await StopAsync(shop, client);
        }
    }

    /// <summary><c>shop serve</c> on a tmpfs of its own on <paramref name="folder"/>, once it answers; skips when the machine allows no such namespace.</summary>
    private static async Task<(Process Shop, HttpClient Client)> ServeOnOwnTmpfsAsync(string folder, IReadOnlyDictionary<string, string> environment, string? seed = null)
    {
        var port = ExternalServer.FreePort();
        var shop = StartOnOwnTmpfs(folder, ["serve", "--bind", $"127.0.0.1:{port}"], environment, seed);
        var stderr = shop.StandardError.ReadToEndAsync(Ct);
        _ = shop.StandardOutput.ReadToEndAsync(Ct);
        var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(60) };
        await Poll.UntilAsync(async () => shop.HasExited || await AnswersAsync(client), "the service answers", ShopMaster.StartLimit);
        if (shop.HasExited)
        {
            var why = await stderr;
            await StopAsync(shop, client);
            SkipOrFail($"unshare could not give the service a tmpfs of its own: {why}");
        }
        return (shop, client);
    }

    /// <summary>Stops the service; its tmpfs goes with its namespace.</summary>
    private static async Task StopAsync(Process shop, HttpClient client)
    {
        client.Dispose();
        if (!shop.HasExited)
        {
            shop.Kill();
            await shop.WaitForExitAsync(CancellationToken.None);
        }
        shop.Dispose();
    }

    /// <summary>
    /// <paramref name="args"/> of shop.dll in a user and mount namespace of its own, with a tmpfs of
    /// <see cref="Size"/> mounted on <paramref name="folder"/> there, holding a copy of what is in
    /// <paramref name="seed"/> (the same pid: unshare and sh exec).
    /// </summary>
    private static Process StartOnOwnTmpfs(string folder, IEnumerable<string> args, IReadOnlyDictionary<string, string> environment, string? seed = null)
    {
        if (ExternalServer.Find("unshare") is not { } unshare)
        {
            SkipOrFail("'unshare' (util-linux) is not installed");
            throw new InvalidOperationException();
        }
        var dotnet = ShopCommand.StartInfo(args, environment);
        var info = new ProcessStartInfo(unshare)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = dotnet.WorkingDirectory,
        };
        foreach (var argument in (string[])["--user", "--map-root-user", "--mount", "sh", "-c",
            $"mount -t tmpfs -o size={Size} shop-full \"$0\" && {{ [ -z \"$1\" ] || cp -a \"$1\"/. \"$0\"/; }} && shift && exec \"$@\"",
            folder, seed ?? "", dotnet.FileName, .. dotnet.ArgumentList])
        {
            info.ArgumentList.Add(argument);
        }
        info.Environment.Clear();
        foreach (var (key, value) in dotnet.Environment)
        {
            info.Environment[key] = value;
        }
        return Process.Start(info)!;
    }

    /// <summary>Writes zeros to <paramref name="path"/> until the disk has no room left.</summary>
    private static void Fill(string path)
    {
        var chunk = new byte[64 * 1024];
        using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0);
        try
        {
            while (true)
            {
                file.Write(chunk);
            }
        }
        catch (IOException)
        {
        }
        // Whatever fits of a last, smaller piece.
        try
        {
            for (var i = 0; i < 64; i++)
            {
                file.Write(chunk.AsSpan(0, 1024));
            }
        }
        catch (IOException)
        {
        }
    }

    private static string GoodsJson(string sku) => new JsonObject { ["sku"] = sku, ["name"] = (sku + " " + new string('x', 200))[..200], ["price"] = 1 }.ToJsonString();

    private static async Task<HttpClient> CustomerAsync(HttpClient anonymous)
    {
        var login = new JsonObject { ["username"] = "full-disk", ["password"] = ShopApp.Password };
        Assert.Equal(HttpStatusCode.Created, (await anonymous.PostAsync("/api/v1/users", Http.Json(login), Ct)).StatusCode);
        var session = await (await anonymous.PostAsync("/api/v1/sessions", Http.Json(login), Ct)).ReadJsonAsync();
        var customer = new HttpClient { BaseAddress = anonymous.BaseAddress, Timeout = anonymous.Timeout };
        customer.DefaultRequestHeaders.Authorization = new("Bearer", (string)session["token"]!);
        return customer;
    }

    private static async Task<bool> AnswersAsync(HttpClient client)
    {
        try
        {
            return (await client.GetAsync("/healthz", Ct)).StatusCode == HttpStatusCode.OK;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    private static void SkipOrFail(string why)
    {
        if (Environment.GetEnvironmentVariable(ExternalServer.RequireVariable) == "1")
        {
            Assert.Fail($"{why}, and {ExternalServer.RequireVariable}=1 requires this test to run.");
        }
        Assert.Skip($"{why}; skipped ({ExternalServer.RequireVariable}=1 turns this into a failure).");
    }

    public void Dispose() => _temp.Dispose();
}
