using System.Net;
using System.Text.Json.Nodes;

namespace Shop.Tests.Hosting;

/// <summary>
/// A steady load on a running service until stopped: clients that GET the goods list in a loop and,
/// when given goods, clients that place orders; every answer is counted, and every accepted order kept.
/// </summary>
public sealed class Load : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _clients = [];
    private readonly List<(DateTime Started, string What)> _failures = [];
    private readonly List<string> _orders = [];
    private int _answered;

    public Load(Uri baseAddress, int getters, long? goodsId = null, int orderers = 0)
    {
        for (var i = 0; i < getters; i++)
        {
            _clients.Add(Task.Run(() => RunAsync(baseAddress, "GET /api/v1/goods?per_page=5", client => client.GetAsync("/api/v1/goods?per_page=5", _stop.Token), null)));
        }
        for (var i = 0; goodsId is not null && i < orderers; i++)
        {
            _clients.Add(Task.Run(() => RunAsync(baseAddress, "POST /api/v1/orders", client => client.PostAsync("/api/v1/orders",
                Http.Json(new JsonObject { ["items"] = new JsonArray(new JsonObject { ["goods_id"] = goodsId, ["quantity"] = 1 }) }), _stop.Token), _orders)));
        }
    }

    public int Answered => Volatile.Read(ref _answered);

    public IReadOnlyList<string> Failures => FailuresStartedBefore(DateTime.MaxValue);

    /// <summary>The failed requests that were sent before <paramref name="time"/> (UTC).</summary>
    public IReadOnlyList<string> FailuresStartedBefore(DateTime time)
    {
        lock (_failures)
        {
            return [.. _failures.Where(f => f.Started < time).Select(f => f.What)];
        }
    }

    /// <summary>The Location of every order answered with 202.</summary>
    public IReadOnlyList<string> AcceptedOrders
    {
        get
        {
            lock (_orders)
            {
                return [.. _orders];
            }
        }
    }

    /// <summary>Waits until <paramref name="more"/> answers more have come, so a change is seen under load.</summary>
    public Task WaitForAnswersAsync(int more)
    {
        var target = Answered + more;
        return Poll.UntilAsync(() => Answered >= target, $"{more} more answers under load", TimeSpan.FromSeconds(60));
    }

    private async Task RunAsync(Uri baseAddress, string request, Func<HttpClient, Task<HttpResponseMessage>> send, List<string>? accepted)
    {
        using var client = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(60) };
        if (accepted is not null)
        {
            // Orders need a caller: the admin of the database PrepareGoods made (ShopApp's key).
            client.DefaultRequestHeaders.Add("X-API-Key", ShopApp.AdminKey);
        }
        while (!_stop.IsCancellationRequested)
        {
            var started = DateTime.UtcNow;
            try
            {
                using var response = await send(client);
                if (response.StatusCode is HttpStatusCode.OK or HttpStatusCode.Accepted)
                {
                    Interlocked.Increment(ref _answered);
                    if (accepted is not null)
                    {
                        lock (accepted)
                        {
                            accepted.Add(response.Headers.Location!.OriginalString);
                        }
                    }
                }
                else
                {
                    var body = await response.Content.ReadAsStringAsync(CancellationToken.None);
                    // A write that waited out the database's lock gets the contract's 503 ("nothing was
                    // changed; try again") and this client tries again on its next round: a machine
                    // running the suite in parallel can make a write wait that long while four
                    // processes share one SQLite file. A reload must not drop or break requests; that
                    // answer is neither, and anything else is still a failure.
                    if (response.StatusCode != HttpStatusCode.ServiceUnavailable
                        || !(body.Contains("The database is busy", StringComparison.Ordinal) || body.Contains("The database is locked by another writer", StringComparison.Ordinal)))
                    {
                        Fail(started, $"{request}: {(int)response.StatusCode} {body}");
                    }
                }
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                Fail(started, $"{request}: {ex.GetType().Name}: {ex.Message} {ex.InnerException?.Message}");
            }
        }
    }

    private void Fail(DateTime started, string what)
    {
        lock (_failures)
        {
            _failures.Add((started, what));
        }
    }

    /// <summary>Stops the clients and waits for their last requests.</summary>
    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_clients);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _stop.Dispose();
    }
}
