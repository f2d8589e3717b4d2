using System.Diagnostics;
using System.Net;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using Shop.Tests.Support;

namespace Shop.Tests.Infrastructure;

/// <summary>The real <c>shop serve</c> process and its log files: reopened on SIGUSR1 after logrotate, refused at start-up when they cannot be opened.</summary>
public sealed class LogFileTests : IDisposable
{
    private readonly TempFolder _temp = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

    private const int SigUsr1 = 10;
    private const int SigTerm = 15;

    private Dictionary<string, string> Environment() => new()
    {
        ["SHOP_DATABASE"] = _temp.File("shop.db"),
        ["SHOP_LOG_FILE"] = _temp.File("shop.log"),
        ["SHOP_ACCESS_LOGFILE"] = _temp.File("access.log"),
        ["SHOP_SECRET_KEY"] = "test-secret-key",
    };

    [Fact]
    public async Task AfterTheLogsAreMovedOrRemovedSigusr1MakesTheServiceWriteToNewFiles()
    {
        Assert.SkipWhen(OperatingSystem.IsWindows(), "signals are POSIX");
        var port = ExternalServer.FreePort();
        using var process = Process.Start(ShopCommand.StartInfo(["serve", "--bind", $"127.0.0.1:{port}"], Environment()))!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            await Poll.UntilAsync(async () =>
            {
                Assert.False(process.HasExited, "the service exited at start-up");
                try
                {
                    return (await client.GetAsync("/healthz", Ct)).IsSuccessStatusCode;
                }
                catch (HttpRequestException)
                {
                    return false;
                }
            }, "the service to answer /healthz");
            await FailLoginAsync(client, "before");
            await ShopApp.WaitForLinesAsync(_temp.File("shop.log"), l => l.Contains("Failed login for before", StringComparison.Ordinal));
            await ShopApp.WaitForLinesAsync(_temp.File("access.log"), l => l.Contains("POST /api/v1/sessions", StringComparison.Ordinal));

            // logrotate without copytruncate moves the file; an operator may just remove it.
            File.Move(_temp.File("shop.log"), _temp.File("shop.log.1"));
            File.Delete(_temp.File("access.log"));
            Assert.Equal(0, Kill(process.Id, SigUsr1));
            await Poll.UntilAsync(() => File.Exists(_temp.File("shop.log")) && File.Exists(_temp.File("access.log")), "the log files to be opened anew");

            await FailLoginAsync(client, "after");
            await ShopApp.WaitForLinesAsync(_temp.File("shop.log"), l => l.Contains("Failed login for after", StringComparison.Ordinal));
            await ShopApp.WaitForLinesAsync(_temp.File("access.log"), l => l.Contains("POST /api/v1/sessions", StringComparison.Ordinal));
            var rotated = await File.ReadAllTextAsync(_temp.File("shop.log.1"), Ct);
            Assert.Contains("Failed login for before", rotated, StringComparison.Ordinal);
            Assert.DoesNotContain("Failed login for after", rotated, StringComparison.Ordinal);
            Assert.False(process.HasExited, "SIGUSR1 must not stop the service");
        }
        finally
        {
            Kill(process.Id, SigTerm);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }

    [Theory]
    [InlineData("SHOP_LOG_FILE", "log_file")]
    [InlineData("SHOP_ACCESS_LOGFILE", "access_logfile")]
    public async Task ALogFileInAFolderTheServiceMayNotWriteStopsStartUpWithOneLineAndExitCode2(string variable, string setting)
    {
        // Root may write into any folder whatever its mode, but not into sysfs.
        string folder;
        if (System.Environment.UserName == "root" || System.Environment.GetEnvironmentVariable("USER") == "root")
        {
            folder = "/sys";
        }
        else if (!OperatingSystem.IsWindows())
        {
            folder = _temp.File("read-only");
            Directory.CreateDirectory(folder);
            File.SetUnixFileMode(folder, UnixFileMode.UserRead | UnixFileMode.UserExecute);
        }
        else
        {
            Assert.Skip("folder modes are POSIX");
            return;
        }
        var path = Path.Combine(folder, "shop-test.log");
        var environment = Environment();
        environment[variable] = path;

        var result = await ShopCommand.RunAsync(["serve", "--bind", $"127.0.0.1:{ExternalServer.FreePort()}"], environment);

        Assert.Equal(2, result.ExitCode);
        var line = Assert.Single(result.Stderr.TrimEnd('\n').Split('\n'));
        Assert.StartsWith($"shop: error: {setting}: cannot open '{path}' for writing: ", line, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Stdout + result.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(path));
    }

    private static async Task FailLoginAsync(HttpClient client, string username)
    {
        var response = await client.PostAsync("/api/v1/sessions", Http.Json(new JsonObject { ["username"] = username, ["password"] = "wrong-password" }), Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    public void Dispose() => _temp.Dispose();
}
