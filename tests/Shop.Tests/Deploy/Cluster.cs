using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;

namespace Shop.Tests.Deploy;

/// <summary>
/// A cluster started by the shipped <c>deploy/cluster.sh up</c> (nginx with the shipped
/// <c>deploy/nginx/shop.conf</c> in front of several real <c>shop serve</c> processes), run from
/// the test's own build of shop.dll, in a temporary folder; <c>down</c> and the folder's removal on dispose.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class Cluster : IAsyncDisposable
{
    private Cluster(string folder, string output)
    {
        Folder = folder;
        UpOutput = output;
        var state = File.ReadAllLines(Path.Combine(folder, "cluster.env"))
            .Select(line => line.Split('=', 2)).ToDictionary(pair => pair[0], pair => pair[1].Trim('"'));
        NginxPort = int.Parse(state["NGINX_PORT"], System.Globalization.CultureInfo.InvariantCulture);
        InstancePorts = [.. state["INSTANCE_PORTS"].Split(' ').Select(p => int.Parse(p, System.Globalization.CultureInfo.InvariantCulture))];
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public string Folder { get; }

    /// <summary>What <c>up</c> printed.</summary>
    public string UpOutput { get; }
    public int NginxPort { get; }
    public IReadOnlyList<int> InstancePorts { get; }
    public Uri Url => new($"http://127.0.0.1:{NginxPort}");
    public string AdminPassword => File.ReadAllText(Path.Combine(Folder, "admin-password")).Trim();
    public string LogsFolder => Path.Combine(Folder, "logs");

    /// <summary>
    /// Runs <c>deploy/cluster.sh up</c>. Skips the test when nginx is missing (fails under
    /// <c>SHOP_REQUIRE_SERVICES=1</c>), as every test with a real server does.
    /// </summary>
    /// <remarks>
    /// The cluster's database is cluster.sh's default: its own PostgreSQL (and Redis) when the build
    /// supports them and the servers are installed, else one SQLite file. nginx listens on a port
    /// the kernel hands out (<see cref="ExternalServer.FreePort"/>); cluster.sh chooses the others,
    /// below the kernel's range and apart from every other cluster of the machine.
    /// </remarks>
    public static async Task<Cluster> UpAsync(int instances = 3, int workers = 1)
    {
        // Only the skip-or-fail rule of a missing nginx; cluster.sh finds the programs itself.
        await using (ExternalServer.Prepare("nginx"))
        {
        }
        for (var attempt = 1; ; attempt++)
        {
            var folder = Directory.CreateTempSubdirectory("shop-cluster-").FullName;
            // cluster.sh runs PostgreSQL as nobody when the tests run as root, who must reach this folder.
            File.SetUnixFileMode(folder, File.GetUnixFileMode(folder) | UnixFileMode.OtherExecute | UnixFileMode.GroupExecute);
            var (exitCode, output) = await RunScriptAsync("up", "--dir", folder, "--instances", instances.ToString(System.Globalization.CultureInfo.InvariantCulture),
                "--workers", workers.ToString(System.Globalization.CultureInfo.InvariantCulture), "--port", ExternalServer.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture),
                "--build", AppContext.BaseDirectory);
            if (exitCode == 0)
            {
                return new Cluster(folder, output);
            }
            await RunScriptAsync("down", "--dir", folder);
            // The kernel's free port is free only when it is asked: another test's server or cluster
            // can take it before cluster.sh checks it. A new port then, a bounded number of times.
            if (attempt < 3 && output.Contains("is already in use", StringComparison.Ordinal))
            {
                continue;
            }
            Assert.Fail($"cluster.sh up failed ({exitCode}):\n{output}\n{Logs(folder)}");
        }
    }

    /// <summary>Runs deploy/cluster.sh with these arguments (and this cluster's folder) to its end.</summary>
    public Task<(int ExitCode, string Output)> RunAsync(params string[] arguments) => RunScriptAsync([.. arguments, "--dir", Folder]);

    private static async Task<(int ExitCode, string Output)> RunScriptAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        start.ArgumentList.Add(RepositoryFiles.PathOf("deploy/cluster.sh"));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("SHOP_", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(key);
        }
        // Not the test's token: the fixture's down runs after the tests, when that token is spent. A
        // rolling upgrade of three instances with two workers each, under load, takes minutes on a loaded machine.
        var (exitCode, output, error) = await ExternalTool.RunAsync(start, TimeSpan.FromMinutes(arguments.FirstOrDefault() == "upgrade" ? 6 : 3));
        return (exitCode, output + error);
    }

    /// <summary>The pid cluster.sh recorded for <c>nginx</c> or <c>shop-PORT</c>, or null when it records none.</summary>
    public int? RecordedPid(string name)
    {
        var file = Path.Combine(Folder, "run", name + ".pid");
        return File.Exists(file) ? int.Parse(File.ReadAllText(file).Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture) : null;
    }

    public int InstancePid(int port) => RecordedPid($"shop-{port}") ?? throw new InvalidOperationException($"no instance recorded on {port}");

    /// <summary>The worker processes of the instance on <paramref name="port"/> (its master's children).</summary>
    public IReadOnlyList<int> WorkerPids(int port) => Hosting.ShopMaster.ChildrenOf(InstancePid(port));

    /// <summary>SIGKILLs the instance's master and its workers at once, as a crash of the whole instance would end them.</summary>
    public async Task KillInstanceAsync(int port)
    {
        var pids = WorkerPids(port).Prepend(InstancePid(port)).ToList();
        pids.ForEach(pid => Signal(pid, Sigkill));
        foreach (var pid in pids)
        {
            await WaitForExitAsync(pid, TimeSpan.FromSeconds(10));
        }
    }

    public const int Sigkill = 9;
    public const int Sigterm = 15;

    /// <summary>Sends a signal (<see cref="Sigkill"/>, <see cref="Sigterm"/>) to a process.</summary>
    public static void Signal(int pid, int signal) => Assert.True(Kill(pid, signal) == 0, $"kill({pid}, {signal}) failed: {Marshal.GetLastPInvokeError()}");

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

    /// <summary>Waits until the process is gone (a killed process's port closes with it).</summary>
    public static Task WaitForExitAsync(int pid, TimeSpan limit) => Poll.UntilAsync(() => !Runs(pid), $"process {pid} gone", limit);

    /// <summary>Whether the process runs: it exists and is no zombie (dead, waiting for its parent to reap it).</summary>
    public static bool Runs(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return !stat[(stat.LastIndexOf(')') + 1)..].TrimStart().StartsWith('Z');
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>A client of nginx, optionally speaking from another loopback address.</summary>
    public HttpClient Client(IPAddress? from = null) => LoopbackClient.Create(Url, from);

    /// <summary>Logs in through nginx and returns a client sending the bearer token.</summary>
    public async Task<HttpClient> SignInAsync(string username, string password)
    {
        using var anonymous = Client();
        using var response = await anonymous.PostAsync("/api/v1/sessions", Http.Json(new JsonObject { ["username"] = username, ["password"] = password }), Ct);
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"login of {username}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(Ct)}");
        var client = Client();
        client.DefaultRequestHeaders.Authorization = new("Bearer", (string)(await response.ReadJsonAsync())["token"]!);
        return client;
    }

    public Task<HttpClient> AdminAsync() => SignInAsync("admin", AdminPassword);

    /// <summary>Registers a customer through nginx and signs them in.</summary>
    public async Task<HttpClient> CustomerAsync(string username)
    {
        using var anonymous = Client();
        using var created = await anonymous.PostAsync("/api/v1/users", Http.Json(new JsonObject { ["username"] = username, ["password"] = ShopApp.Password }), Ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return await SignInAsync(username, ShopApp.Password);
    }

    /// <summary>Every Shop access-log line of the cluster's instances.</summary>
    public IEnumerable<string> InstanceAccessLines() =>
        InstancePorts.Select(p => Path.Combine(LogsFolder, $"access-{p}.log")).Where(File.Exists).SelectMany(ReadShared);

    public static IEnumerable<string> ReadShared(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    private static string Logs(string folder)
    {
        var logs = Path.Combine(folder, "logs");
        return !Directory.Exists(logs) ? "" : string.Join("\n", Directory.GetFiles(logs)
            .Select(f => $"--- {f}:\n{string.Join('\n', ReadShared(f).TakeLast(15))}"));
    }

    public async ValueTask DisposeAsync()
    {
        var (exitCode, output) = await RunScriptAsync("down", "--dir", Folder);
        Assert.True(exitCode == 0, output);
        Directory.Delete(Folder, recursive: true);
    }
}
