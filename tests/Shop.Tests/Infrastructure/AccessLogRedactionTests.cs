namespace Shop.Tests.Infrastructure;

/// <summary>Credentials sent in a query string never reach the access log.</summary>
public sealed class AccessLogRedactionTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task CredentialQueryParametersAreRedactedInTheAccessLog()
    {
        await using var shop = await ShopApp.StartAsync();
        using var client = shop.CreateClient(("X-Request-Id", "redact-1"));

        await client.GetAsync("/api/v1/goods?access_token=tok-secret-1&page=1&api_key=key-secret-2&Password=pw-secret-3&api%5Fkey=key-secret-4&q=tea", Ct);

        var line = Assert.Single(await shop.WaitForAccessLogAsync(l => l.Contains("redact-1", StringComparison.Ordinal)));
        // The client sends api%5Fkey as api_key (an unreserved character needs no escape); either way it is a credential.
        Assert.Matches(@"""GET /api/v1/goods\?access_token=REDACTED&page=1&api_key=REDACTED&Password=REDACTED&api(_|%5F)key=REDACTED&q=tea HTTP/1\.1""", line);
        Assert.DoesNotContain("secret", line, StringComparison.Ordinal);
    }
}
