using System.Runtime.CompilerServices;

namespace Shop.Infrastructure.Logging;

/// <summary>
/// Logging calls that record the calling member and line, filled in by the compiler
/// (<see cref="CallerMemberNameAttribute"/>, <see cref="CallerLineNumberAttribute"/>) — no stack walk
/// at run time. The message is a Serilog-style template with named holes: <c>"Goods {Id} created"</c>.
/// </summary>
public static class CallerLog
{
    public static void Debug(this ILogger logger, string message, EndOfArguments _ = default, [CallerMemberName] string member = "", [CallerLineNumber] int line = 0) =>
        Write(logger, LogLevel.Debug, null, message, [], member, line);

    public static void Debug<T0>(this ILogger logger, string template, T0 a0, EndOfArguments _ = default, [CallerMemberName] string member = "", [CallerLineNumber] int line = 0) =>
        Write(logger, LogLevel.Debug, null, template, [a0], member, line);

    public static void Info(this ILogger logger, string message, EndOfArguments _ = default, [CallerMemberName] string member = "", [CallerLineNumber] int line = 0) =>
        Write(logger, LogLevel.Information, null, message, [], member, line);

    public static void Info<T0>(this ILogger logger, string template, T0 a0, EndOfArguments _ = default, [CallerMemberName] string member = "", [CallerLineNumber] int line = 0) =>
        Write(logger, LogLevel.Information, null, template, [a0], member, line);

    public static void Info<T0, T1>(this ILogger logger, string template, T0 a0, T1 a1, EndOfArguments _ = default, [CallerMemberName] string member = "", [CallerLineNumber] int line = 0) =>
        Write(logger, LogLevel.Information, null, template, [a0, a1], member, line);

    public static void Info<T0, T1, T2>(this ILogger logger, string template, T0 a0, T1 a1, T2 a2, EndOfArguments _ = default, [CallerMemberName] string member = "", [CallerLineNumber] int line = 0) =>
        Write(logger, LogLevel.Information, null, template, [a0, a1, a2], member, line);

    public static void Info<T0, T1, T2, T3>(this ILogger logger, string template, T0 a0, T1 a1, T2 a2, T3 a3, EndOfArguments _ = default, [CallerMemberName] string member = "", [CallerLineNumber] int line = 0) =>
        Write(logger, LogLevel.Information, null, template, [a0, a1, a2, a3], member, line);

    public static void Warning(this ILogger logger, string message, EndOfArguments _ = default, [CallerMemberName] string member = "", [CallerLineNumber] int line = 0) =>
        Write(logger, LogLevel.Warning, null, message, [], member, line);

    public static void Warning<T0>(this ILogger logger, string template, T0 a0, EndOfArguments _ = default, [CallerMemberName] string member = "", [CallerLineNumber] int line = 0) =>
        Write(logger, LogLevel.Warning, null, template, [a0], member, line);

    public static void Warning<T0, T1>(this ILogger logger, string template, T0 a0, T1 a1, EndOfArguments _ = default, [CallerMemberName] string member = "", [CallerLineNumber] int line = 0) =>
        Write(logger, LogLevel.Warning, null, template, [a0, a1], member, line);

    public static void Warning<T0, T1, T2>(this ILogger logger, string template, T0 a0, T1 a1, T2 a2, EndOfArguments _ = default, [CallerMemberName] string member = "", [CallerLineNumber] int line = 0) =>
        Write(logger, LogLevel.Warning, null, template, [a0, a1, a2], member, line);

    public static void Warning<T0, T1, T2, T3>(this ILogger logger, string template, T0 a0, T1 a1, T2 a2, T3 a3, EndOfArguments _ = default, [CallerMemberName] string member = "", [CallerLineNumber] int line = 0) =>
        Write(logger, LogLevel.Warning, null, template, [a0, a1, a2, a3], member, line);

    public static void Error(this ILogger logger, Exception? exception, string message, EndOfArguments _ = default, [CallerMemberName] string member = "", [CallerLineNumber] int line = 0) =>
        Write(logger, LogLevel.Error, exception, message, [], member, line);

    public static void Error<T0>(this ILogger logger, Exception? exception, string template, T0 a0, EndOfArguments _ = default, [CallerMemberName] string member = "", [CallerLineNumber] int line = 0) =>
        Write(logger, LogLevel.Error, exception, template, [a0], member, line);

    public static void Error<T0, T1>(this ILogger logger, Exception? exception, string template, T0 a0, T1 a1, EndOfArguments _ = default, [CallerMemberName] string member = "", [CallerLineNumber] int line = 0) =>
        Write(logger, LogLevel.Error, exception, template, [a0, a1], member, line);

    public static void Error<T0, T1, T2>(this ILogger logger, Exception? exception, string template, T0 a0, T1 a1, T2 a2, EndOfArguments _ = default, [CallerMemberName] string member = "", [CallerLineNumber] int line = 0) =>
        Write(logger, LogLevel.Error, exception, template, [a0, a1, a2], member, line);

    private static void Write(ILogger logger, LogLevel level, Exception? exception, string template, object?[] args, string member, int line)
    {
        if (logger.IsEnabled(level))
        {
            logger.Log(level, default, new CallerState(template, args, member, line), exception, static (state, _) => state.ToString());
        }
    }
}
