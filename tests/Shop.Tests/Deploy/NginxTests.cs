using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace Shop.Tests.Deploy;

/// <summary>
/// deploy/nginx/shop.conf run by a real nginx in front of a real Shop: the file is used as shipped,
/// with only the listen address, the upstream instance and the log folder swapped for the test's.
/// Skipped when nginx is not installed (a failure under SHOP_REQUIRE_SERVICES=1).
/// </summary>
public sealed partial class NginxTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task GetThroughNginxReachesShopWithTheClientsRequestId()
    {
        await using var shop = await ShopApp.StartAsync();
        await using var nginx = await StartNginxAsync(shop.BaseAddress.Port);
        using var client = Client(nginx);
        using var admin = Client(nginx, ("Authorization", $"Bearer {shop.AdminToken}"));
        var created = await admin.PostAsync("/api/v1/goods", Http.Json("""{"sku":"NGX-1","name":"Proxied tea","price":3.5}"""), Ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);

        using var request = Http.Request(HttpMethod.Get, created.Headers.Location!.OriginalString, headers: ("X-Request-Id", "nginx-test-0001"));
        var response = await client.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("NGX-1", (string?)(await response.ReadJsonAsync())["sku"]);
        Assert.Equal("nginx-test-0001", response.Headers.GetValues("X-Request-Id").Single());
        await LineWithRequestIdAsync(shop.AccessLogFile, "nginx-test-0001");
    }

    [Fact]
    public async Task RequestWithoutAnIdGetsOneThatShopAndNginxShare()
    {
        await using var shop = await ShopApp.StartAsync();
        await using var nginx = await StartNginxAsync(shop.BaseAddress.Port);
        using var client = Client(nginx);

        var response = await client.GetAsync("/api/v1/goods?per_page=1", Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var id = response.Headers.GetValues("X-Request-Id").Single();
        Assert.Matches("^[0-9a-f]{32}$", id);
        await LineWithRequestIdAsync(shop.AccessLogFile, id);
        await LineWithRequestIdAsync(nginx.PathOf("shop.access.log"), id);
    }

    [Fact]
    public async Task ShopsOwnErrorsPassThroughUnchanged()
    {
        await using var shop = await ShopApp.StartAsync();
        await using var nginx = await StartNginxAsync(shop.BaseAddress.Port);
        using var client = Client(nginx);

        var response = await client.GetAsync("/api/v1/goods/987654", Ct);

        await response.AssertProblemAsync(404, "Goods 987654 not found");
    }

    [Fact]
    public async Task BodyOverOneMebibyteGets413ProblemFromNginx()
    {
        await using var shop = await ShopApp.StartAsync();
        await using var nginx = await StartNginxAsync(shop.BaseAddress.Port);
        using var client = Client(nginx);

        var response = await client.PostAsync("/api/v1/goods", Http.Json(new string(' ', 1024 * 1024 + 1)), Ct);

        var body = await response.AssertProblemAsync(413, "Request body too large");
        Assert.Equal("Payload Too Large", (string?)body["title"]);
        Assert.Contains("client intended to send too large body", await File.ReadAllTextAsync(nginx.PathOf("shop.error.log"), Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ImportsMayCarryMoreThanOneMebibyte()
    {
        await using var shop = await ShopApp.StartAsync();
        await using var nginx = await StartNginxAsync(shop.BaseAddress.Port);
        using var client = Client(nginx);
        var csv = "sku,name,description,price,stock,category\n" + string.Concat(Enumerable.Range(1, 40_000).Select(i => $"IMP-{i},Imported {i},,1.00,1,x\n"));
        Assert.True(csv.Length > 1024 * 1024);

        using var request = Http.Request(HttpMethod.Post, "/api/v1/goods/imports", headers: ("X-Request-Id", "nginx-import-0001"));
        request.Content = new StringContent(csv, System.Text.Encoding.UTF8, "text/csv");
        var response = await client.SendAsync(request, Ct);

        // Whatever Shop answers an anonymous import (401, or 404 before the imports module lands),
        // nginx must have let the body through instead of answering 413 itself.
        Assert.NotEqual(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains("\"POST /api/v1/goods/imports ", await LineWithRequestIdAsync(shop.AccessLogFile, "nginx-import-0001"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task UpstreamThatIsDownGives502Problem()
    {
        await using var nginx = await StartNginxAsync(ExternalServer.FreePort());
        using var client = Client(nginx);

        var response = await client.GetAsync("/api/v1/goods/1", Ct);

        var body = await response.AssertProblemAsync(502, "The service is not reachable; try again shortly");
        Assert.Equal("Bad Gateway", (string?)body["title"]);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
    }

    [Fact]
    public async Task RequestLineTooLongGets414ProblemFromNginx()
    {
        await using var nginx = await StartNginxAsync(ExternalServer.FreePort());
        using var client = Client(nginx);

        var response = await client.GetAsync("/api/v1/goods?q=" + new string('a', 9000), Ct);

        await response.AssertProblemAsync(414, "Request target too long");
    }

    [Fact]
    public async Task HeaderLineTooLongGets431ProblemFromNginx()
    {
        await using var nginx = await StartNginxAsync(ExternalServer.FreePort());
        using var client = Client(nginx, ("X-Padding", new string('p', 9000)));

        var response = await client.GetAsync("/api/v1/goods/1", Ct);

        await response.AssertProblemAsync(431, "Request headers too large");
    }

    [Fact]
    public async Task UnsafeClientRequestIdIsReplacedEvenInNginxsOwnErrors()
    {
        await using var nginx = await StartNginxAsync(ExternalServer.FreePort());
        using var client = Client(nginx);

        using var request = Http.Request(HttpMethod.Get, "/api/v1/goods/1", headers: ("X-Request-Id", "evil\",\"status\":200"));
        var response = await client.SendAsync(request, Ct);

        var body = await response.AssertProblemAsync(502);
        Assert.Matches("^[0-9a-f]{32}$", (string?)body["request_id"]);
    }

    [Fact]
    public async Task ClientAddressReachesShopThroughXForwardedFor()
    {
        await using var shop = await ShopApp.StartAsync();
        await using var nginx = await StartNginxAsync(shop.BaseAddress.Port);
        // The client speaks from 127.0.0.2 while nginx reaches Shop from 127.0.0.1, so only a
        // forwarded address can put 127.0.0.2 into Shop's access log.
        using var client = Client(nginx, from: IPAddress.Parse("127.0.0.2"));

        using var request = Http.Request(HttpMethod.Get, "/api/v1/goods", headers: ("X-Request-Id", "nginx-xff-0001"));
        var response = await client.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("127.0.0.2 ", await LineWithRequestIdAsync(shop.AccessLogFile, "nginx-xff-0001"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task MetricsAreServedToThisMachineOnlyAndOthersGet403Problem()
    {
        await using var shop = await ShopApp.StartAsync();
        await using var nginx = await StartNginxAsync(shop.BaseAddress.Port);
        using var local = Client(nginx);
        // 127.0.0.2 stands for any other machine: nginx allows 127.0.0.1 and ::1 only.
        using var remote = Client(nginx, from: IPAddress.Parse("127.0.0.2"));

        var fromHere = await local.GetAsync("/metrics", Ct);
        var fromElsewhere = await remote.GetAsync("/metrics", Ct);

        Assert.Equal(HttpStatusCode.OK, fromHere.StatusCode);
        Assert.Contains("# TYPE ", await fromHere.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        var body = await fromElsewhere.AssertProblemAsync(403, "You are not allowed to do this");
        Assert.Equal("Forbidden", (string?)body["title"]);
        Assert.Equal(HttpStatusCode.OK, (await remote.GetAsync("/api/v1/goods?per_page=1", Ct)).StatusCode);
    }

    /// <summary>The one access-log line (Shop's or nginx's: both end with the request id) of that request.</summary>
    private static async Task<string> LineWithRequestIdAsync(string accessLog, string requestId)
    {
        bool Matches(string line) => line.EndsWith(" " + requestId, StringComparison.Ordinal);
        return Assert.Single(await ShopApp.WaitForLinesAsync(accessLog, Matches), Matches);
    }

    /// <summary>Runs deploy/nginx/shop.conf in a throw-away nginx (own prefix, pid file, logs) in front of 127.0.0.1:<paramref name="upstreamPort"/>.</summary>
    private static async Task<ExternalServer> StartNginxAsync(int upstreamPort)
    {
        var nginx = ExternalServer.Prepare("nginx");
        try
        {
            var shipped = await File.ReadAllTextAsync(RepositoryFiles.PathOf("deploy/nginx/shop.conf"), Ct);
            await File.WriteAllTextAsync(nginx.PathOf("shop.conf"), Render(shipped, nginx, upstreamPort), Ct);
            await File.WriteAllTextAsync(nginx.PathOf("nginx.conf"), MainConfig(nginx), Ct);
            await nginx.StartAsync(
                ["-p", nginx.Folder + "/", "-c", nginx.PathOf("nginx.conf"), "-e", nginx.PathOf("error.log")],
                logFile: nginx.PathOf("error.log"));
            return nginx;
        }
        catch
        {
            await nginx.DisposeAsync();
            throw;
        }
    }

    /// <summary>The shipped site with the test's addresses; each swap must find its target, so a reshaped file fails loudly here.</summary>
    private static string Render(string shipped, ExternalServer nginx, int upstreamPort)
    {
        var site = ReplaceOnce(shipped, ListenLine(), $"listen 127.0.0.1:{nginx.Port};");
        // The shipped upstream lists three instances; the test has one, in the first line's shape.
        site = ReplaceOnce(site, UpstreamServers(), match => match.Groups["first"].Value.Replace(match.Groups["address"].Value, $"127.0.0.1:{upstreamPort}", StringComparison.Ordinal));
        Assert.Contains("/var/log/nginx/", site, StringComparison.Ordinal);
        return site.Replace("/var/log/nginx/", nginx.Folder + "/", StringComparison.Ordinal);
    }

    private static string ReplaceOnce(string text, Regex pattern, string replacement) => ReplaceOnce(text, pattern, _ => replacement);

    private static string ReplaceOnce(string text, Regex pattern, MatchEvaluator replacement)
    {
        Assert.True(pattern.Count(text) == 1, $"deploy/nginx/shop.conf should contain exactly one match of {pattern}");
        return pattern.Replace(text, replacement);
    }

    /// <summary>
    /// The main configuration Debian's nginx.conf would be, kept inside the test's folder. As root,
    /// workers would otherwise run as nobody and could not write request bodies into that folder.
    /// </summary>
    private static string MainConfig(ExternalServer nginx) =>
        $$"""
        {{(Environment.UserName == "root" ? "user root;" : "")}}
        daemon off;
        master_process on;
        worker_processes 1;
        pid {{nginx.PathOf("nginx.pid")}};
        error_log {{nginx.PathOf("error.log")}} info;
        events { worker_connections 256; }
        http {
            access_log off;
            client_body_temp_path {{nginx.PathOf("body")}};
            proxy_temp_path {{nginx.PathOf("proxy")}};
            fastcgi_temp_path {{nginx.PathOf("fastcgi")}};
            uwsgi_temp_path {{nginx.PathOf("uwsgi")}};
            scgi_temp_path {{nginx.PathOf("scgi")}};
            include {{nginx.PathOf("shop.conf")}};
        }
        """;

    private static HttpClient Client(ExternalServer nginx, params (string Name, string Value)[] headers) =>
        Client(nginx, from: null, headers);

    /// <summary>A client of the nginx, optionally speaking from another loopback address.</summary>
    private static HttpClient Client(ExternalServer nginx, IPAddress? from, params (string Name, string Value)[] headers)
    {
        var client = LoopbackClient.Create(new Uri($"http://127.0.0.1:{nginx.Port}"), from);
        foreach (var (name, value) in headers)
        {
            client.DefaultRequestHeaders.TryAddWithoutValidation(name, value);
        }
        return client;
    }

    [GeneratedRegex(@"(?m)(?<=^[ \t]*)listen 80;")]
    private static partial Regex ListenLine();

    /// <summary>The upstream's server lines, which follow one another; <c>first</c> is the first of them.</summary>
    [GeneratedRegex(@"(?m)(?<first>^[ \t]*server (?<address>127\.0\.0\.1:\d+) [^\n]*\n)(?:[ \t]*server 127\.0\.0\.1:\d+ [^\n]*\n)*")]
    private static partial Regex UpstreamServers();
}
