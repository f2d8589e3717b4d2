using System.Diagnostics;

namespace Shop.Tests.Support;

/// <summary>
/// A real <c>shop serve</c> process (the built shop.dll) on a free loopback port with its own log
/// file, for tests that need separate instances: their own memory, locks and process id, and a
/// SIGKILL that takes nothing down but them.
/// </summary>
public sealed class ServeProcess : IAsyncDisposable
{
    private readonly Process _process;

    private ServeProcess(Process process, Uri address, string logFile)
    {
        _process = process;
        Client = new HttpClient { BaseAddress = address };
        LogFile = logFile;
    }

    /// <summary>An anonymous client of this instance.</summary>
    public HttpClient Client { get; }

    public string LogFile { get; }

    public bool HasExited => _process.HasExited;

    /// <summary>Starts <c>shop serve</c> with <paramref name="environment"/> (SHOP_* settings) and waits until <c>/healthz</c> answers.</summary>
    public static async Task<ServeProcess> StartAsync(IReadOnlyDictionary<string, string> environment, string logFile)
    {
        var port = ExternalServer.FreePort();
        var settings = new Dictionary<string, string>(environment) { ["SHOP_LOG_FILE"] = logFile };
        var process = Process.Start(ShopCommand.StartInfo(["serve", "--bind", $"127.0.0.1:{port}"], settings))!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var serve = new ServeProcess(process, new Uri($"http://127.0.0.1:{port}"), logFile);
        try
        {
            await Poll.UntilAsync(async () =>
            {
                Assert.False(process.HasExited, "the service exited at start-up");
                try
                {
                    return (await serve.Client.GetAsync("/healthz", TestContext.Current.CancellationToken)).IsSuccessStatusCode;
                }
                catch (HttpRequestException)
                {
                    return false; // Not listening yet.
                }
            }, "shop serve to answer /healthz", TimeSpan.FromSeconds(60));
            return serve;
        }
        catch
        {
            await serve.DisposeAsync();
            throw;
        }
    }

    /// <summary>A client of this instance that sends the bearer token.</summary>
    public HttpClient BearerClient(string token)
    {
        var client = new HttpClient { BaseAddress = Client.BaseAddress };
        client.DefaultRequestHeaders.Authorization = new("Bearer", token);
        return client;
    }

    /// <summary>SIGKILL: no shutdown hooks, no flush.</summary>
    public async Task KillAsync()
    {
        _process.Kill();
        await _process.WaitForExitAsync(TestContext.Current.CancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}
