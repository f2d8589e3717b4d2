using System.Net;
using System.Text.Json.Nodes;
using Npgsql;
using Shop.Features.Goods;
using Shop.Infrastructure.Data;

namespace Shop.Tests.Features.Goods;

/// <summary>
/// On PostgreSQL a sequence hands out ids before commit, so two writers can commit their change-log
/// rows in the opposite order of their ids; a reader that took the later id first must still meet
/// the earlier one. (SQLite has one writer at a time, so the case cannot arise there.)
/// </summary>
public sealed class GoodsChangeLogOrderTests : IOnPostgres
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AReaderBetweenTwoWritersNeverSkipsTheChangeThatCommitsLast()
    {
        await using var shared = await TestDatabase.CreateAsync();
        // No Redis: what keeps the reader exact here is the change log alone.
        await using var writer = await ShopApp.StartAsync(s => s with { Database = shared.Setting, Redis = null, QueueWorker = false });
        // cache_lag_ms = 0: every read of the reader catches up with the log, so the one between the writers does.
        await using var reader = await ShopApp.StartAsync(s => s with { Database = shared.Setting, Redis = null, QueueWorker = false, CacheLag = TimeSpan.Zero });
        using var admin = writer.AdminClient();
        var x = (long)(await GoodsApiTests.CreateAsync(admin, "ORDER-X", stock: 10))["id"]!;
        var y = (long)(await GoodsApiTests.CreateAsync(admin, "ORDER-Y", stock: 10))["id"]!;
        Assert.Equal(10, (int)(await GetAsync(reader, x))["stock"]!); // X is in the reader's memory now.

        // A slow writer: takes stock of X as an order does and appends to the log, then holds its transaction open.
        await using var scope = writer.App.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ShopDb>();
        var stock = new GoodsStock(db, scope.ServiceProvider.GetRequiredService<GoodsChangeLog>());
        await using var slow = await db.Database.BeginTransactionAsync(Ct);
        Assert.NotNull(await stock.TryTakeAsync(x, 4, DateTime.UtcNow, Ct));
        await stock.RecordAsync(Ct);

        // A fast writer of Y starts after it: it either commits first (its log id after the slow one's) or waits for it.
        using var patch = new HttpRequestMessage(HttpMethod.Patch, $"/api/v1/goods/{y}") { Content = Http.Json("""{"name":"Fast"}""") };
        var fast = admin.SendAsync(patch, Ct);
        await Poll.UntilAsync(async () => fast.IsCompleted || await WaitersOnALockAsync(shared.Setting) > 0, "the fast write answered or waiting");

        // The reader catches up with the log in between.
        await GetAsync(reader, y);
        await slow.CommitAsync(Ct);
        Assert.Equal(HttpStatusCode.OK, (await fast).StatusCode);

        Assert.Equal(6, (int)(await GetAsync(reader, x))["stock"]!);
        Assert.Equal("Fast", (string?)(await GetAsync(reader, y))["name"]);
    }

    private static async Task<JsonNode> GetAsync(ShopApp shop, long id) =>
        JsonNode.Parse(await shop.Client.GetStringAsync($"/api/v1/goods/{id}", Ct))!;

    private static async Task<long> WaitersOnALockAsync(string database)
    {
        await using var connection = new NpgsqlConnection(PostgresUri.ToConnectionString(database) + ";Pooling=false");
        await connection.OpenAsync(Ct);
        await using var command = new NpgsqlCommand("SELECT count(*) FROM pg_locks WHERE NOT granted", connection);
        return (long)(await command.ExecuteScalarAsync(Ct))!;
    }
}
