using System.Runtime.CompilerServices;

namespace Shop.Infrastructure;

/// <summary>
/// Keeps code on the thread pool, continuations included, in a process that serves on its socket
/// threads (<c>Hosting.InlineServing</c>). There the runtime completes socket operations on its
/// event threads, and code after an await that a socket completed (a request body's next chunk, a
/// PostgreSQL answer) would go on running on that event thread, holding up every socket it serves.
/// A synchronisation context is what both <c>Task</c> awaits and <c>System.IO.Pipelines</c> (a
/// request body) post continuations to, so this is one; library code that awaits with
/// <c>ConfigureAwait(false)</c> runs only up to its caller's next await.
/// </summary>
public sealed class PoolContinuations : SynchronizationContext
{
    private static readonly PoolContinuations Instance = new();

    /// <summary>
    /// Moves the calling async method to the thread pool, where it stays from then on (await it
    /// first). Its caller is not affected: the async method builder restores the caller's context.
    /// </summary>
    public static YieldAwaitable Enter()
    {
        SetSynchronizationContext(Instance);
        return Task.Yield();
    }

    /// <summary>
    /// <paramref name="next"/> for <paramref name="context"/> on the thread pool when the caller is on
    /// another thread (a socket event thread); in place when it is on the pool already.
    /// </summary>
    public static Task RunAsync(RequestDelegate next, HttpContext context) =>
        Thread.CurrentThread.IsThreadPoolThread ? next(context) : OnThePoolAsync(next, context);

    private static async Task OnThePoolAsync(RequestDelegate next, HttpContext context)
    {
        try
        {
            await Enter();
            await next(context);
        }
        finally
        {
            // The middleware above continues inline from here, and so does Kestrel's connection
            // loop, which waits for the next request: they go back to no context.
            SetSynchronizationContext(null);
        }
    }

    public override void Post(SendOrPostCallback d, object? state) =>
        ThreadPool.QueueUserWorkItem(static work =>
        {
            var previous = Current;
            SetSynchronizationContext(Instance);
            try
            {
                work.d(work.state);
            }
            finally
            {
                SetSynchronizationContext(previous);
            }
        }, (d, state), preferLocal: true);

    public override SynchronizationContext CreateCopy() => this;
}
