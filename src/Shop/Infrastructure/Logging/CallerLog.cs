using System.Collections;
using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;

namespace Shop.Infrastructure.Logging;

/// <summary>
/// Stands between a call's message arguments and the compiler-filled caller parameters, so that a
/// string argument can never be taken for the member name by overload resolution.
/// </summary>
public readonly struct EndOfArguments;

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

/// <summary>
/// The structured state of one event: the template's named values plus <c>Member</c> and <c>Line</c>.
/// Serilog's provider reads <c>{OriginalFormat}</c> as the template and the rest as properties.
/// </summary>
internal sealed partial class CallerState(string template, object?[] args, string member, int line)
    : IReadOnlyList<KeyValuePair<string, object?>>
{
    private static readonly ConcurrentDictionary<string, string[]> NamesCache = new();
    private readonly string[] _names = NamesCache.GetOrAdd(template, t => Hole().Matches(t).Select(m => m.Groups[1].Value).ToArray());

    public int Count => args.Length + 3;

    public KeyValuePair<string, object?> this[int index] => index switch
    {
        _ when index < args.Length => new(index < _names.Length ? _names[index] : $"Arg{index}", args[index]),
        _ when index == args.Length => new("Member", member),
        _ when index == args.Length + 1 => new("Line", line),
        _ => new("{OriginalFormat}", template),
    };

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator()
    {
        for (var i = 0; i < Count; i++)
        {
            yield return this[i];
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>The rendered message, for providers that do not read templates.</summary>
    public override string ToString()
    {
        var index = 0;
        return Hole().Replace(template, m => index < args.Length ? Convert.ToString(args[index++], System.Globalization.CultureInfo.InvariantCulture) ?? "" : m.Value);
    }

    [GeneratedRegex(@"(?<!\{)\{@?([A-Za-z_][A-Za-z0-9_]*)(?:[,:][^}]*)?\}")]
    private static partial Regex Hole();
}
