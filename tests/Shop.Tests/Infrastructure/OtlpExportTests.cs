using System.Collections.Concurrent;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Shop.Tests.Infrastructure;

public sealed class OtlpExportTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task WithAnOtlpEndpointRequestTracesAreExportedUnderTheCallersTraceId()
    {
        // A stand-in collector on loopback that keeps what it receives over OTLP/HTTP.
        var received = new ConcurrentQueue<(string Path, byte[] Body)>();
        var collectorBuilder = WebApplication.CreateSlimBuilder();
        collectorBuilder.WebHost.UseUrls("http://127.0.0.1:0");
        collectorBuilder.Logging.ClearProviders();
        await using var collector = collectorBuilder.Build();
        collector.MapPost("/{**signal}", async (HttpContext context, CancellationToken cancellationToken) =>
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body, cancellationToken);
            received.Enqueue((context.Request.Path.Value!, body.ToArray()));
            context.Response.ContentType = "application/x-protobuf";
        });
        await collector.StartAsync(Ct);

        await using (var shop = await ShopApp.StartAsync(s => s with { OtlpEndpoint = new Uri(collector.Urls.First()), OtlpProtocol = "http/protobuf" }))
        {
            using var client = shop.CreateClient(("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"));
            Assert.Equal(200, (int)(await client.GetAsync("/healthz", Ct)).StatusCode);
        }
        // Stopping the service flushes the exporters.

        var traces = received.Where(r => r.Path == "/v1/traces").ToList();
        Assert.NotEmpty(traces);
        var traceId = Convert.FromHexString("0af7651916cd43dd8448eb211c80319c");
        Assert.Contains(traces, t => t.Body.AsSpan().IndexOf(traceId) >= 0);
        Assert.Contains(received, r => r.Path == "/v1/metrics");
    }
}
