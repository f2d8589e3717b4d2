namespace Shop.Hosting;

/// <summary>
/// Serving on the socket threads: the runtime completes socket operations on its event threads
/// (<c>DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS</c>) and Kestrel runs each request inline there
/// (<c>UnsafePreferInlineScheduling</c>), so an answer from memory is parsed, found and sent with no
/// hand-over between threads. Everything else leaves those threads at once: a database read, a
/// password hash or a body upload must never hold up the other sockets of an event thread.
/// <see cref="Rest.CachedReads"/> moves every request it does not answer to the thread pool, and the
/// queue workers move themselves (<see cref="Infrastructure.PoolContinuations"/>).
/// </summary>
/// <remarks>
/// On by default; <c>DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=0</c> in the environment turns both
/// off, and every request is then dispatched to the thread pool as ASP.NET Core does by default.
/// </remarks>
public static class InlineServing
{
    private const string Variable = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    /// <summary>
    /// Turns inline socket completions on for this process (and the workers it starts) unless its
    /// environment names a value. The runtime reads the variable when the first socket operation
    /// starts, so this runs first in <c>Main</c>.
    /// </summary>
    public static void Configure()
    {
        if (Environment.GetEnvironmentVariable(Variable) is null)
        {
            Environment.SetEnvironmentVariable(Variable, "1");
        }
    }

    /// <summary>Whether this process completes socket operations inline, and so whether Kestrel should run requests inline too.</summary>
    public static bool Enabled => Environment.GetEnvironmentVariable(Variable) == "1";
}
