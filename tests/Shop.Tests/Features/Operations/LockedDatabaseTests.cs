using System.Diagnostics;
using System.Net;
using Microsoft.Data.Sqlite;

namespace Shop.Tests.Features.Operations;

/// <summary>Another process holding SQLite's write lock: writes answer 503 within the busy wait, readiness says so, and all recovers.</summary>
public sealed class LockedDatabaseTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AWriteMeetingALockHeldByAnotherConnectionAnswers503WithinTheBoundAndSucceedsAfterRelease()
    {
        await using var shop = await ShopApp.StartAsync();
        using var admin = shop.AdminClient();
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsync("/api/v1/goods", Http.Json("""{"sku":"BEFORE","name":"Before","price":1}"""), Ct)).StatusCode);

        await using var other = new SqliteConnection($"Data Source={shop.Settings.Database};Pooling=False");
        await other.OpenAsync(Ct);
        await using (var begin = other.CreateCommand())
        {
            begin.CommandText = "BEGIN IMMEDIATE;";
            await begin.ExecuteNonQueryAsync(Ct);
        }

        await (await shop.Client.GetAsync("/readyz", Ct)).AssertProblemAsync(503, "Not ready: database is not writable");
        var clock = Stopwatch.StartNew();
        var locked = await admin.PostAsync("/api/v1/goods", Http.Json("""{"sku":"LOCKED","name":"Locked","price":1}"""), Ct);
        var waited = clock.Elapsed;
        await locked.AssertProblemAsync(503, "The database is locked by another writer: nothing was changed; try again");
        Assert.Equal("5", locked.Headers.RetryAfter?.ToString());
        // At most 5 s for the write gate (the queue workers are stuck ahead) and 5 s of busy wait; the
        // bound has room for a loaded machine, and is far below the 30 s per writer of a plain busy wait.
        Assert.True(waited < TimeSpan.FromSeconds(15), $"the write waited {waited}");
        // Reads go on while the lock is held.
        Assert.Equal(HttpStatusCode.OK, (await shop.Client.GetAsync("/api/v1/goods?sku=BEFORE", Ct)).StatusCode);

        await using (var rollback = other.CreateCommand())
        {
            rollback.CommandText = "ROLLBACK;";
            await rollback.ExecuteNonQueryAsync(Ct);
        }

        Assert.Equal(HttpStatusCode.OK, (await shop.Client.GetAsync("/readyz", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsync("/api/v1/goods", Http.Json("""{"sku":"LOCKED","name":"Locked","price":1}"""), Ct)).StatusCode);
        var list = await (await shop.Client.GetAsync("/api/v1/goods?sort=id", Ct)).ReadJsonAsync();
        Assert.Equal(["BEFORE", "LOCKED"], list["items"]!.AsArray().Select(g => (string)g!["sku"]!));
        await shop.WaitForLogAsync(l => l.Contains(" - WARNING - Shop.Features.Operations.StorageFailures - Record - ", StringComparison.Ordinal) && l.Contains(" - Database locked by another writer", StringComparison.Ordinal));
    }
}
