using System.Buffers;
using System.Globalization;
using System.Text;

namespace Shop.Infrastructure.Logging;

/// <summary>
/// Keeps client-controlled text from breaking a log line: a username, a goods name or a header may
/// hold CR, LF or an ESC sequence, which would otherwise forge a second line or drive the terminal.
/// </summary>
public static class LogText
{
    private static readonly SearchValues<char> Breaking = SearchValues.Create(
        string.Concat(Enumerable.Range(0, 0xA0).Select(i => (char)i).Where(char.IsControl)) + "\u2028\u2029");

    /// <summary>True when <paramref name="c"/> is a control character (C0, DEL, C1 with U+0085) or a Unicode line or paragraph separator.</summary>
    public static bool IsBreaking(char c) => char.IsControl(c) || c is '\u2028' or '\u2029';

    /// <summary>
    /// CR, LF and TAB as <c>\r</c> <c>\n</c> <c>\t</c>; every other control character as <c>\xNN</c>;
    /// U+2028 and U+2029 as <c>\u2028</c> <c>\u2029</c>. Everything else is kept as it is.
    /// </summary>
    public static string Escape(string text)
    {
        var first = text.AsSpan().IndexOfAny(Breaking);
        if (first < 0)
        {
            return text;
        }
        var builder = new StringBuilder(text.Length + 16).Append(text, 0, first);
        for (var i = first; i < text.Length; i++)
        {
            _ = text[i] switch
            {
                '\r' => builder.Append(@"\r"),
                '\n' => builder.Append(@"\n"),
                '\t' => builder.Append(@"\t"),
                var c when c is '\u2028' or '\u2029' => builder.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}"),
                var c when char.IsControl(c) => builder.Append(CultureInfo.InvariantCulture, $"\\x{(int)c:x2}"),
                var c => builder.Append(c),
            };
        }
        return builder.ToString();
    }
}
