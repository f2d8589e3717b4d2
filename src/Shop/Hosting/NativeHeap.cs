using System.Runtime.InteropServices;

namespace Shop.Hosting;

/// <summary>
/// glibc's malloc gives threads that meet a busy arena arenas of their own, up to eight per core,
/// each keeping the freed memory it once held; SQLite allocates from every request thread, so a
/// loaded process held tens of MB of such native memory (bench/README.md, "Start-up and peak
/// memory"). Two arenas keep it low on this service's scale. .NET has no setting for it and the
/// environment variable must precede the process, hence the one call, made first thing in Main.
/// </summary>
internal static class NativeHeap
{
    /// <summary>glibc's <c>M_ARENA_MAX</c> option of <c>mallopt</c>.</summary>
    private const int ArenaMaxOption = -8;

    public const int Arenas = 2;

    /// <summary>
    /// Caps glibc's arenas at <see cref="Arenas"/>, unless <c>MALLOC_ARENA_MAX</c> says otherwise
    /// (glibc reads it itself). Elsewhere (another C library, another system) it does nothing.
    /// </summary>
    public static void LimitArenas()
    {
        if (!OperatingSystem.IsLinux() || Environment.GetEnvironmentVariable("MALLOC_ARENA_MAX") is not null)
        {
            return;
        }
        try
        {
            MallOpt(ArenaMaxOption, Arenas);
        }
        catch (Exception ex) when (ex is EntryPointNotFoundException or DllNotFoundException)
        {
            // Not glibc (musl has no mallopt): its allocator has no per-thread arenas to cap.
        }
    }

    [DllImport("libc", EntryPoint = "mallopt")]
    private static extern int MallOpt(int option, int value);
}
