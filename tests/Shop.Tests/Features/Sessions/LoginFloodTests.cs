using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;

namespace Shop.Tests.Features.Sessions;

/// <summary>
/// Logins and registrations are limited per client address (the one trusted_proxies yields: the test
/// host connects from 127.0.0.1, a trusted proxy, so X-Forwarded-For picks the address), and password
/// hashing is bounded for the whole instance, so a flood leaves the other requests fast.
/// </summary>
public sealed class LoginFloodTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static HttpRequestMessage Login(string username, string address) =>
        Http.Request(HttpMethod.Post, "/api/v1/sessions", new JsonObject { ["username"] = username, ["password"] = "wrong-password" }.ToJsonString(),
            ("X-Forwarded-For", address));

    [Fact]
    public async Task AnAddressOverItsLoginLimitGets429WithRetryAfterWhileOtherAddressesGoOn()
    {
        await using var shop = await ShopApp.StartAsync();
        // 30 at once, then one every 2 s: 45 sent together leave about 15 over the limit. The bucket
        // is asked as each arrives, before any waits for a hashing turn, however slow the hashing.
        var answers = await Task.WhenAll(Enumerable.Range(0, 45).Select(i => shop.Client.SendAsync(Login($"flood{i}", "203.0.113.7"), Ct)));

        var limited = answers.Where(a => a.StatusCode == HttpStatusCode.TooManyRequests).ToList();
        Assert.InRange(limited.Count, 10, 15);
        Assert.All(answers.Except(limited), a => Assert.Equal(HttpStatusCode.Unauthorized, a.StatusCode));
        foreach (var answer in limited)
        {
            await answer.AssertProblemAsync(429, "Too many requests from this address; try again later");
            Assert.InRange(answer.Headers.RetryAfter!.Delta!.Value, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2));
        }
        Assert.Equal(HttpStatusCode.Unauthorized, (await shop.Client.SendAsync(Login("flood-other", "203.0.113.8"), Ct)).StatusCode);
    }

    [Fact]
    public async Task AnAddressOverItsRegistrationLimitGets429()
    {
        await using var shop = await ShopApp.StartAsync();
        var answers = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => shop.Client.SendAsync(
            Http.Request(HttpMethod.Post, "/api/v1/users", $$"""{"username":"reg{{i}}","password":"reg-password-1"}""", ("X-Forwarded-For", "198.51.100.9")), Ct)));

        // 10 at once, then one every 6 s.
        Assert.InRange(answers.Count(a => a.StatusCode == HttpStatusCode.Created), 10, 12);
        Assert.InRange(answers.Count(a => a.StatusCode == HttpStatusCode.TooManyRequests), 8, 10);
        var request = Http.Request(HttpMethod.Post, "/api/v1/users", """{"username":"elsewhere","password":"reg-password-1"}""", ("X-Forwarded-For", "198.51.100.10"));
        Assert.Equal(HttpStatusCode.Created, (await shop.Client.SendAsync(request, Ct)).StatusCode);
    }

    [Fact]
    public async Task ReadsStayFastDuringALoginFloodFromManyAddresses()
    {
        await using var shop = await ShopApp.StartAsync();
        using var admin = shop.AdminClient();
        (await admin.PostAsync("/api/v1/goods", Http.Json("""{"sku":"READ-1","name":"Read","price":1}"""), Ct)).EnsureSuccessStatusCode();
        var baseline = await ReadLatenciesAsync(shop.Client, TimeSpan.FromSeconds(1.5), Ct);

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var answers = new System.Collections.Concurrent.ConcurrentBag<HttpResponseMessage>();
        // 24 connections (the queue holds 32), each from its own address so that only the hashing bound stands in their way.
        var flood = Enumerable.Range(0, 24).Select(client => Task.Run(async () =>
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                try
                {
                    answers.Add(await shop.Client.SendAsync(Login($"f{client}x{i}", $"10.9.{client}.{i % 250 + 1}"), stop.Token));
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        })).ToList();
        var during = await ReadLatenciesAsync(shop.Client, TimeSpan.FromSeconds(4), Ct);
        await stop.CancelAsync();
        await Task.WhenAll(flood);

        // The issue measured 2,027 ms at p99 without a bound. 250 ms (plus the machine's own noise,
        // measured just before) leaves room for a loaded 2-core CI machine; bench/README.md has the real figures.
        var bound = TimeSpan.FromMilliseconds(250) + 4 * P99(baseline);
        Assert.True(P99(during) < bound, $"p99 during the flood {P99(during).TotalMilliseconds:0} ms, bound {bound.TotalMilliseconds:0} ms, {during.Count} reads");
        Assert.All(answers, a => Assert.Equal(HttpStatusCode.Unauthorized, a.StatusCode));
    }

    [Fact]
    public async Task BeyondTheHashingQueueALoginIs503WithRetryAfter()
    {
        await using var shop = await ShopApp.StartAsync();

        // At most half the cores hash at once and 32 wait: 60 at once from 60 addresses overflow that.
        var answers = await Task.WhenAll(Enumerable.Range(0, 60).Select(i => shop.Client.SendAsync(Login($"q{i}", $"10.8.0.{i + 1}"), Ct)));

        Assert.All(answers, a => Assert.True(a.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.ServiceUnavailable, $"{(int)a.StatusCode}"));
        var shed = answers.FirstOrDefault(a => a.StatusCode == HttpStatusCode.ServiceUnavailable);
        Assert.NotNull(shed);
        await shed.AssertProblemAsync(503, "Too many logins and registrations at once; try again in a moment");
        Assert.Equal(TimeSpan.FromSeconds(1), shed.Headers.RetryAfter!.Delta);
    }

    private static async Task<List<TimeSpan>> ReadLatenciesAsync(HttpClient client, TimeSpan duration, CancellationToken cancellationToken)
    {
        var latencies = new List<TimeSpan>();
        var total = Stopwatch.StartNew();
        while (total.Elapsed < duration)
        {
            var one = Stopwatch.StartNew();
            using var response = await client.GetAsync("/api/v1/goods/1", cancellationToken);
            latencies.Add(one.Elapsed);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        return latencies;
    }

    private static TimeSpan P99(List<TimeSpan> latencies) =>
        latencies.Order().ElementAt(Math.Min(latencies.Count - 1, (int)Math.Ceiling(latencies.Count * 0.99) - 1));
}
