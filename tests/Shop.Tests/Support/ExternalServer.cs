using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;

namespace Shop.Tests.Support;

/// <summary>
/// A real server program (nginx, postgres, redis-server...) run by a test: found on the machine, given
/// a free loopback port and its own temporary folder, started in the foreground, stopped and cleaned
/// up on dispose. When the program is not installed the test is skipped with a message saying so,
/// except under <c>SHOP_REQUIRE_SERVICES=1</c> (CI), where a missing server is a failure.
/// </summary>
/// <example>
/// <code>
/// await using var nginx = ExternalServer.Prepare("nginx");   // skips here if nginx is missing
/// File.WriteAllText(nginx.PathOf("nginx.conf"), $"... listen 127.0.0.1:{nginx.Port}; ...");
/// await nginx.StartAsync(["-p", nginx.Folder, "-c", nginx.PathOf("nginx.conf")], logFile: nginx.PathOf("error.log"));
/// </code>
/// </example>
public sealed class ExternalServer : IAsyncDisposable
{
    public const string RequireVariable = "SHOP_REQUIRE_SERVICES";

    /// <summary>Where servers live besides PATH: Debian puts nginx in /usr/sbin, PostgreSQL in a versioned folder.</summary>
    private static readonly string[] ExtraFolders = ["/usr/sbin", "/usr/local/sbin", "/usr/local/nginx/sbin"];

    private readonly StringBuilder _output = new();
    private Process? _process;
    private string? _logFile;

    private ExternalServer(string binary, string folder, int port)
    {
        Binary = binary;
        Folder = folder;
        Port = port;
    }

    public string Binary { get; }

    /// <summary>A temporary folder of this server's own (configuration, data, logs), deleted on dispose.</summary>
    public string Folder { get; }

    /// <summary>A loopback port that was free when the server was prepared.</summary>
    public int Port { get; }

    public string PathOf(string name) => Path.Combine(Folder, name);

    /// <summary>
    /// Finds <paramref name="program"/> (on PATH, in the sbin folders, or in <paramref name="folders"/>,
    /// which may contain one * such as <c>/usr/lib/postgresql/*/bin</c>) and reserves a port and a folder.
    /// Skips the calling test when the program is missing, or fails it when <c>SHOP_REQUIRE_SERVICES=1</c>.
    /// </summary>
    public static ExternalServer Prepare(string program, params string[] folders) =>
        Prepare(program, required: Environment.GetEnvironmentVariable(RequireVariable) == "1", folders);

    internal static ExternalServer Prepare(string program, bool required, string[] folders)
    {
        var binary = Find(program, folders);
        if (binary is null)
        {
            var message = $"'{program}' is not installed (looked on PATH, in {string.Join(", ", ExtraFolders.Concat(folders))})";
            if (required)
            {
                Assert.Fail($"{message}, and {RequireVariable}=1 requires it. Install it (for example apt-get install {program}).");
            }
            Assert.Skip($"{message}; skipped. Install it to run this test; {RequireVariable}=1 turns this skip into a failure.");
        }
        var folder = Directory.CreateTempSubdirectory($"shop-{Path.GetFileName(program)}-").FullName;
        return new ExternalServer(binary, folder, FreePort());
    }

    public static string? Find(string program, params string[] folders)
    {
        var path = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        return path.Concat(ExtraFolders).Concat(folders.SelectMany(Expand))
            .Select(folder => Path.Combine(folder, program))
            .FirstOrDefault(IsExecutable);
    }

    /// <summary>A port nobody listens on right now (the kernel's choice; a tiny race with other programs remains).</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>
    /// Starts the server in the foreground and waits until its port accepts connections. If it exits
    /// or does not listen in time, the test fails with its output and the end of <paramref name="logFile"/>.
    /// </summary>
    /// <param name="runAs">A user to run the server as when the tests run as root (PostgreSQL refuses to run as root).</param>
    public async Task StartAsync(IEnumerable<string> arguments, string? logFile = null, TimeSpan? timeout = null, string? runAs = null)
    {
        _logFile = logFile;
        var start = StartInfo(Binary, arguments, runAs);
        start.WorkingDirectory = Folder;
        _process = Process.Start(start) ?? throw new InvalidOperationException($"{Binary} did not start");
        _process.OutputDataReceived += (_, e) => Collect(e.Data);
        _process.ErrorDataReceived += (_, e) => Collect(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        var process = _process;
        await Poll.UntilAsync(async () =>
        {
            if (process.HasExited)
            {
                Assert.Fail($"{Path.GetFileName(Binary)} exited with {process.ExitCode}:\n{Diagnostics()}");
            }
            return await AcceptsConnectionsAsync(Port);
        }, listening => listening, $"{Path.GetFileName(Binary)} to listen on 127.0.0.1:{Port}", timeout, _ => Diagnostics());
    }

    /// <summary>
    /// How to start <paramref name="program"/>: as <paramref name="runAs"/> through <c>setpriv</c> (which
    /// execs, so the process is the program itself and signals reach it) when this process is root.
    /// </summary>
    public static ProcessStartInfo StartInfo(string program, IEnumerable<string> arguments, string? runAs = null)
    {
        var asOther = runAs is not null && Environment.UserName == "root";
        var start = new ProcessStartInfo(asOther ? "setpriv" : program) { RedirectStandardOutput = true, RedirectStandardError = true };
        if (asOther)
        {
            foreach (var argument in (string[])[$"--reuid={runAs}", $"--regid={runAs}", "--init-groups", "--", program])
            {
                start.ArgumentList.Add(argument);
            }
        }
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        return start;
    }

    /// <summary>The server's console output and the end of its log file, for failure messages.</summary>
    public string Diagnostics()
    {
        string output;
        lock (_output)
        {
            output = _output.ToString();
        }
        var log = _logFile is not null && File.Exists(_logFile)
            ? string.Join('\n', File.ReadLines(_logFile).TakeLast(20))
            : "";
        return $"{output}{(log.Length > 0 ? $"--- {_logFile}:\n{log}" : "")}";
    }

    private void Collect(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
    }

    private static async Task<bool> AcceptsConnectionsAsync(int port)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>Stops the server and cleans up its folder.</summary>
    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
            // A file still held by an exiting child is left for the OS to clean up with /tmp.
        }
    }

    /// <summary>SIGINT: PostgreSQL's fast shutdown, which ends open sessions instead of waiting for them.</summary>
    public const int Sigint = 2;

    /// <summary>
    /// Asks the server to stop (SIGTERM: nginx, PostgreSQL and Redis all shut down cleanly on it), then
    /// kills what is left. The folder and port stay, so <see cref="StartAsync"/> can start it again.
    /// </summary>
    public async Task StopAsync(int signal = Sigterm)
    {
        if (_process is { HasExited: false } process)
        {
            _ = SendSignal(process.Id, signal);
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await process.WaitForExitAsync(wait.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }
        }
        _process?.Dispose();
        _process = null;
    }

    private const int Sigterm = 15;

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SendSignal(int pid, int signal);

    private static IEnumerable<string> Expand(string folder)
    {
        var star = folder.IndexOf('*', StringComparison.Ordinal);
        if (star < 0)
        {
            return [folder];
        }
        var parent = Path.GetDirectoryName(folder[..star]) ?? "/";
        var pattern = folder[(parent.Length + 1)..].Split('/')[0];
        var rest = folder[(parent.Length + 1 + pattern.Length)..].TrimStart('/');
        return Directory.Exists(parent)
            ? Directory.GetDirectories(parent, pattern).OrderDescending(StringComparer.Ordinal).Select(d => Path.Combine(d, rest))
            : [];
    }

    private static bool IsExecutable(string path) =>
        File.Exists(path) && (OperatingSystem.IsWindows() || (File.GetUnixFileMode(path) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0);
}
