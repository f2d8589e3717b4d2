using System.Diagnostics;
using System.Globalization;
using System.Net;

namespace Shop.Tests.Hosting;

/// <summary>
/// A real <c>shop serve</c> (a master with its workers, or one process) on a free loopback port with
/// its own database, logs and pidfile in a temporary folder; stopped (and its workers with it) on dispose.
/// </summary>
public sealed class ShopMaster : IAsyncDisposable
{
    public static readonly TimeSpan StartLimit = TimeSpan.FromSeconds(120);

    private ShopMaster(Process process, string folder, int port)
    {
        Process = process;
        Folder = folder;
        Port = port;
        Client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
    }

    public Process Process { get; }
    public string Folder { get; }
    public int Port { get; }
    public Uri BaseAddress => new($"http://127.0.0.1:{Port}");
    public HttpClient Client { get; }
    public string Pidfile => Path.Combine(Folder, "shop.pid");
    public string LogFile => Path.Combine(Folder, "shop.log");
    public string AccessLogFile => Path.Combine(Folder, "access.log");
    public string Database => Path.Combine(Folder, "shop.db");

    /// <summary>The environment every test process gets: its database and the test host's secret key (so <see cref="ShopApp.AdminKey"/> works).</summary>
    public static Dictionary<string, string> Environment(string folder, params (string Key, string Value)[] extra)
    {
        var environment = new Dictionary<string, string>
        {
            ["SHOP_DATABASE"] = Path.Combine(folder, "shop.db"),
            ["SHOP_SECRET_KEY"] = "test-secret-key",
            ["SHOP_LOG_FILE"] = Path.Combine(folder, "shop.log"),
            ["SHOP_ACCESS_LOGFILE"] = Path.Combine(folder, "access.log"),
        };
        foreach (var (key, value) in extra)
        {
            environment[key] = value;
        }
        return environment;
    }

    /// <summary>Starts <c>serve</c> with <paramref name="args"/> and waits until the pidfile is there and <c>/healthz</c> answers.</summary>
    public static Task<ShopMaster> StartAsync(string folder, IEnumerable<string> args, params (string Key, string Value)[] environment) =>
        StartAsync(ShopCommand.Dll, folder, args, environment);

    /// <summary>As <see cref="StartAsync(string, IEnumerable{string}, ValueTuple{string, string}[])"/>, running the shop.dll at <paramref name="dll"/>.</summary>
    public static async Task<ShopMaster> StartAsync(string dll, string folder, IEnumerable<string> args, params (string Key, string Value)[] environment)
    {
        var port = ExternalServer.FreePort();
        var process = Process.Start(ShopCommand.StartInfo(
            ["serve", "--bind", $"127.0.0.1:{port}", "--pidfile", Path.Combine(folder, "shop.pid"), .. args], Environment(folder, environment), folder, dll))!;
        var master = new ShopMaster(process, folder, port);
        _ = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            await Poll.UntilAsync(async () => process.HasExited || File.Exists(master.Pidfile) && await master.AnswersAsync(), "the service answers", StartLimit);
            if (process.HasExited)
            {
                Assert.Fail($"serve exited with {process.ExitCode}: {await stderr}");
            }
        }
        catch
        {
            await master.DisposeAsync();
            throw;
        }
        return master;
    }

    public async Task<bool> AnswersAsync()
    {
        try
        {
            using var response = await Client.GetAsync("/healthz", TestContext.Current.CancellationToken);
            return response.StatusCode == HttpStatusCode.OK;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    /// <summary>The processes whose parent is the master: its workers.</summary>
    public IReadOnlyList<int> WorkerPids() => ChildrenOf(Process.Id);

    public static IReadOnlyList<int> ChildrenOf(int parent) =>
        Directory.EnumerateDirectories("/proc")
            .Select(d => int.TryParse(Path.GetFileName(d), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? pid : 0)
            .Where(pid => pid > 0 && ParentOf(pid) == parent)
            .Order()
            .ToList();

    /// <summary>The parent of a process from <c>/proc/PID/stat</c>; 0 when it is gone.</summary>
    public static int ParentOf(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so read after the last ')'.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return fields[0] == "Z" ? 0 : int.Parse(fields[1], CultureInfo.InvariantCulture);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return 0;
        }
    }

    public static string Comm(int pid) => File.ReadAllText($"/proc/{pid}/comm").TrimEnd('\n');

    public static bool IsAlive(int pid) => ParentOf(pid) != 0;

    public static async Task SignalAsync(int pid, string signal)
    {
        using var kill = Process.Start("kill", [$"-{signal}", pid.ToString(CultureInfo.InvariantCulture)])!;
        await kill.WaitForExitAsync(TestContext.Current.CancellationToken);
    }

    public Task SignalAsync(string signal) => SignalAsync(Process.Id, signal);

    /// <summary>Waits until the master has exactly <paramref name="count"/> workers, none of them in <paramref name="old"/>, and every one ready.</summary>
    public async Task<IReadOnlyList<int>> WaitForNewWorkersAsync(IReadOnlyCollection<int> old, int count)
    {
        IReadOnlyList<int> pids = [];
        await Poll.UntilAsync(async () =>
        {
            pids = WorkerPids();
            if (pids.Count != count || pids.Any(old.Contains))
            {
                return false;
            }
            var log = await File.ReadAllTextAsync(LogFile, TestContext.Current.CancellationToken);
            return pids.All(pid => log.Contains($"Worker {pid} is ready", StringComparison.Ordinal));
        }, $"{count} new workers replace {string.Join(",", old)}", StartLimit);
        return pids;
    }

    public async ValueTask DisposeAsync()
    {
        var workers = Process.HasExited ? [] : WorkerPids();
        if (!Process.HasExited)
        {
            Process.Kill();
            await Process.WaitForExitAsync();
        }
        foreach (var worker in workers)
        {
            // A worker stops by itself when its master is gone; these are for a test that failed half-way.
            try
            {
                System.Diagnostics.Process.GetProcessById(worker).Kill();
            }
            catch (ArgumentException)
            {
            }
        }
        Process.Dispose();
        Client.Dispose();
    }
}
