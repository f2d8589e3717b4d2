using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Shop.Tests.Deploy;

/// <summary>
/// The graceful stop of a real <c>shop serve</c> process on SIGTERM: for <c>drain_delay</c> it still
/// serves while <c>/readyz</c> answers 503, a request in flight is answered, and then it exits with 0.
/// </summary>
public sealed class DrainingTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task TermMakesReadyzAnswer503WhileItStillServesThenFinishesTheRequestInFlightAndExits()
    {
        var folder = Directory.CreateTempSubdirectory("shop-drain-").FullName;
        var port = ExternalServer.FreePort();
        using var service = Process.Start(ShopCommand.StartInfo(["serve", "--bind", $"127.0.0.1:{port}"], new Dictionary<string, string>
        {
            ["SHOP_DATABASE"] = Path.Combine(folder, "shop.db"),
            ["SHOP_LOG_FILE"] = Path.Combine(folder, "shop.log"),
            ["SHOP_SECRET_KEY"] = "drain-test-secret",
            ["SHOP_DRAIN_DELAY"] = "3s",
        }))!;
        service.StandardInput.Close();
        var output = service.StandardOutput.ReadToEndAsync(Ct);
        var errors = service.StandardError.ReadToEndAsync(Ct);
        try
        {
            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            await Poll.UntilAsync(async () => await StatusAsync(client, "/readyz") == HttpStatusCode.OK, "the service ready", TimeSpan.FromSeconds(60));
            // A registration whose body is still arriving when the stop begins: a request in flight.
            using var inFlight = await StartSlowRegistrationAsync(port);

            Process.Start("kill", ["-TERM", service.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!.WaitForExit();

            await Poll.UntilAsync(async () => await StatusAsync(client, "/readyz") == HttpStatusCode.ServiceUnavailable, "/readyz answering 503", TimeSpan.FromSeconds(10));
            using var ready = await client.GetAsync("/readyz", Ct);
            await ready.AssertProblemAsync(503, "Not ready: shutting down");
            using var goods = await client.GetAsync("/api/v1/goods?per_page=1", Ct);
            Assert.Equal(HttpStatusCode.OK, goods.StatusCode);
            Assert.True(goods.Headers.ConnectionClose, "answers while draining close their connection, so nginx's kept-alive ones move away");
            Assert.False(service.HasExited);

            var answer = await inFlight.FinishAsync();
            Assert.StartsWith("HTTP/1.1 201 ", answer, StringComparison.Ordinal);

            using var exit = new CancellationTokenSource(TimeSpan.FromSeconds(40));
            await service.WaitForExitAsync(exit.Token);
            Assert.True(service.ExitCode == 0, $"exit {service.ExitCode}: {await errors}");
            await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync("/healthz", Ct));
            Assert.Contains("draining for 3 s", await File.ReadAllTextAsync(Path.Combine(folder, "shop.log"), Ct), StringComparison.Ordinal);
        }
        finally
        {
            if (!service.HasExited)
            {
                service.Kill();
                await service.WaitForExitAsync(Ct);
            }
            await Task.WhenAll(output, errors);
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task<HttpStatusCode?> StatusAsync(HttpClient client, string path)
    {
        try
        {
            using var response = await client.GetAsync(path, Ct);
            return response.StatusCode;
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }

    /// <summary>Sends a registration's headers and half its body over a raw socket; the rest is sent by <see cref="SlowRequest.FinishAsync"/>.</summary>
    private static async Task<SlowRequest> StartSlowRegistrationAsync(int port)
    {
        var body = Encoding.UTF8.GetBytes($$"""{"username":"drainer","password":"{{ShopApp.Password}}"}""");
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, port, Ct);
        var stream = new NetworkStream(socket, ownsSocket: true);
        var head = Encoding.ASCII.GetBytes($"POST /api/v1/users HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {body.Length}\r\n\r\n");
        await stream.WriteAsync(head, Ct);
        await stream.WriteAsync(body.AsMemory(0, body.Length / 2), Ct);
        await stream.FlushAsync(Ct);
        return new SlowRequest(stream, body[(body.Length / 2)..]);
    }

    private sealed class SlowRequest(NetworkStream stream, byte[] rest) : IDisposable
    {
        public async Task<string> FinishAsync()
        {
            await stream.WriteAsync(rest, Ct);
            var buffer = new byte[4096];
            var read = await stream.ReadAsync(buffer, Ct);
            return Encoding.ASCII.GetString(buffer, 0, read);
        }

        public void Dispose() => stream.Dispose();
    }
}
