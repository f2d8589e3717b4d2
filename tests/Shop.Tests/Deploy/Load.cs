using System.Collections.Concurrent;
using System.Net;

namespace Shop.Tests.Deploy;

/// <summary>
/// A bounded load: several clients send requests one after the other until stopped, or for at most
/// 8 minutes however the test goes (a rolling upgrade on a loaded machine takes minutes). An answer
/// with the expected status is a success (its Location, if any, is kept); any other answer is a
/// failure, kept with what it said. A request whose connection failed before any answer is sent
/// again, as the same request, up to twice, as a careful client does (the contract's
/// Idempotency-Key makes that safe for a POST); a third connection failure is a failure.
/// </summary>
public sealed class Load
{
    private readonly CancellationTokenSource _stop = new(TimeSpan.FromMinutes(8));
    private readonly List<Task> _clients = [];
    private int _sent;
    private int _resent;

    private Load()
    {
    }

    /// <summary>The Location (or "" without one) of every successful answer.</summary>
    public ConcurrentQueue<string> Succeeded { get; } = new();
    public ConcurrentQueue<string> Failed { get; } = new();

    /// <summary>Requests sent, including those whose answer never came.</summary>
    public int Sent => Volatile.Read(ref _sent);

    /// <summary>Requests sent again after their connection failed before an answer.</summary>
    public int Resent => Volatile.Read(ref _resent);

    /// <param name="clients">One HTTP client per concurrent sender.</param>
    /// <param name="request">Makes the <c>n</c>th request of sender <c>i</c>; called again for a resend, it makes the same request.</param>
    public static Load Start(IReadOnlyList<HttpClient> clients, Func<int, int, HttpRequestMessage> request, HttpStatusCode expected)
    {
        var load = new Load();
        for (var i = 0; i < clients.Count; i++)
        {
            var (client, sender) = (clients[i], i);
            load._clients.Add(Task.Run(() => load.RunAsync(client, n => request(sender, n), expected)));
        }
        return load;
    }

    private async Task RunAsync(HttpClient client, Func<int, HttpRequestMessage> request, HttpStatusCode expected)
    {
        for (var (n, attempt) = (0, 1); !_stop.IsCancellationRequested; (n, attempt) = (n + 1, 1))
        {
            try
            {
                Interlocked.Increment(ref _sent);
                using var message = request(n);
                using var response = await client.SendAsync(message, _stop.Token);
                if (response.StatusCode == expected)
                {
                    Succeeded.Enqueue(response.Headers.Location?.OriginalString ?? "");
                }
                else
                {
                    Failed.Enqueue($"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync(_stop.Token)}");
                }
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                // Stopped while a request was on its way: whatever it did is counted by the totals.
                return;
            }
            catch (HttpRequestException) when (attempt < 3)
            {
                Interlocked.Increment(ref _resent);
                (n, attempt) = (n - 1, attempt + 1);
            }
            catch (HttpRequestException ex)
            {
                Failed.Enqueue(ex.Message);
            }
        }
    }

    /// <summary>Waits until that many requests succeeded in all.</summary>
    public Task UntilSucceededAsync(int count) =>
        Poll.UntilAsync(() => Succeeded.Count >= count, $"{count} successful requests (failed so far: {Failed.Count})", TimeSpan.FromSeconds(60));

    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_clients);
        _stop.Dispose();
    }

    /// <summary>The failures, for an assertion's message.</summary>
    public string Describe() => $"{Failed.Count} of {Sent} requests failed ({Resent} sent again after a failed connection): {string.Join("; ", Failed.Take(5))}";
}
