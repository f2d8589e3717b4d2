using System.Collections;
using System.Collections.Concurrent;
using System.Text.RegularExpressions;

namespace Shop.Infrastructure.Logging;

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
