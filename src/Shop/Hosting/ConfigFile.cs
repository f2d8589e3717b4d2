using System.Globalization;
using System.Text;

namespace Shop.Hosting;

/// <summary>
/// Reads a settings file written as gunicorn's is: <c>name = value</c> lines whose values are Python
/// literals (<c>'…'</c>, <c>"…"</c>, integers, <c>True</c>/<c>False</c>/<c>None</c>, a list of them),
/// <c>#</c> comments, and bare INI-style values (<c>bind = 127.0.0.1:5000</c>); gunicorn's names are
/// aliases of Shop's. Hand-written because gunicorn's file is Python: no .NET configuration
/// provider reads Python literals (the INI provider keeps the quotes and the trailing comments).
/// </summary>
public static class ConfigFile
{
    /// <summary>gunicorn's names where Shop's differ.</summary>
    public static readonly IReadOnlyDictionary<string, string> Aliases = new Dictionary<string, string>
    {
        ["accesslog"] = "access_logfile",
        ["errorlog"] = "log_file",
        ["loglevel"] = "log_level",
    };

    /// <summary>The settings of the file, by Shop's name (lower case); later lines win, as in Python.</summary>
    public static Dictionary<string, string?> Read(string path)
    {
        var values = new Dictionary<string, string?>();
        var number = 0;
        foreach (var raw in File.ReadLines(path))
        {
            number++;
            var line = raw.Trim();
            if (line.Length == 0 || line[0] is '#' or ';')
            {
                continue;
            }
            var equals = line.IndexOf('=', StringComparison.Ordinal);
            var name = equals > 0 ? line[..equals].Trim().ToLowerInvariant() : "";
            if (name.Length == 0 || !name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
            {
                throw Problem(path, number, "is not 'name = value'");
            }
            var value = Value(line[(equals + 1)..].Trim(), path, number);
            if (Aliases.TryGetValue(name, out var shopName))
            {
                // gunicorn's errorlog '-' is standard error, which is Shop's default; Shop's '-' is standard output.
                value = shopName == "log_file" && value == "-" ? null : value;
                name = shopName;
            }
            values[name] = value;
        }
        return values;
    }

    /// <summary>A value as Shop's parsers read it: text as is, lists comma-joined, booleans lower case, None empty.</summary>
    private static string? Value(string text, string path, int number)
    {
        if (text.Length > 0 && text[0] is '[' or '(')
        {
            var close = text[0] == '[' ? ']' : ')';
            var items = new List<string>();
            var rest = text.AsSpan(1).TrimStart();
            while (rest.Length > 0 && rest[0] != close)
            {
                var (item, length) = Literal(rest, path, number);
                items.Add(item ?? "");
                rest = rest[length..].TrimStart();
                if (rest.Length > 0 && rest[0] == ',')
                {
                    rest = rest[1..].TrimStart();
                }
                else if (rest.Length == 0 || rest[0] != close)
                {
                    throw Problem(path, number, "has a list that is not [literal, literal, ...] on one line");
                }
            }
            if (rest.Length == 0)
            {
                throw Problem(path, number, "has a list that is not [literal, literal, ...] on one line");
            }
            EndOfLine(rest[1..], path, number);
            return string.Join(',', items);
        }
        if (text.Length > 0 && (text[0] is '\'' or '"' || char.IsAsciiDigit(text[0]) || text[0] == '-' && text.Length > 1 && char.IsAsciiDigit(text[1])
            || StartsWithWord(text, "True") || StartsWithWord(text, "False") || StartsWithWord(text, "None")))
        {
            var (value, length) = Literal(text, path, number);
            if (text[0] is not ('\'' or '"') && IsBareWord(text.AsSpan(length)))
            {
                // An INI-style value that only starts like a literal: 127.0.0.1:5000, 24h, 0.0.0.0:80.
                return Bare(text);
            }
            EndOfLine(text.AsSpan(length), path, number);
            return value;
        }
        return Bare(text);
    }

    /// <summary>One literal at the start of <paramref name="text"/>: its value and how many characters it took.</summary>
    private static (string? Value, int Length) Literal(ReadOnlySpan<char> text, string path, int number)
    {
        if (text[0] is '\'' or '"')
        {
            var quote = text[0];
            var value = new StringBuilder();
            for (var i = 1; i < text.Length; i++)
            {
                var c = text[i];
                if (c == quote)
                {
                    return (value.ToString(), i + 1);
                }
                if (c == '\\' && i + 1 < text.Length)
                {
                    i++;
                    value.Append(text[i] switch { 'n' => '\n', 't' => '\t', 'r' => '\r', '0' => '\0', var other => other });
                    if (text[i] is not ('n' or 't' or 'r' or '0' or '\\' or '\'' or '"'))
                    {
                        // Python keeps the backslash of an escape it does not know ('C:\shop' stays as written).
                        value.Insert(value.Length - 1, '\\');
                    }
                    continue;
                }
                value.Append(c);
            }
            throw Problem(path, number, $"has a string without its closing {quote}");
        }
        foreach (var (word, meaning) in new[] { ("True", "true"), ("False", "false"), ("None", (string?)null) })
        {
            if (StartsWithWord(text, word))
            {
                return (meaning ?? "", word.Length);
            }
        }
        var end = text[0] == '-' ? 1 : 0;
        while (end < text.Length && (char.IsAsciiDigit(text[end]) || text[end] == '_'))
        {
            end++;
        }
        if (end == 0 || end == 1 && text[0] == '-')
        {
            throw Problem(path, number, "has a value that is not a string, an integer, True, False or None");
        }
        var digits = text[..end].ToString().Replace("_", "", StringComparison.Ordinal);
        return (long.TryParse(digits, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n)
            ? n.ToString(CultureInfo.InvariantCulture) : digits, end);
    }

    /// <summary>After a literal only a comment may follow.</summary>
    private static void EndOfLine(ReadOnlySpan<char> rest, string path, int number)
    {
        rest = rest.Trim();
        if (rest.Length > 0 && rest[0] != '#')
        {
            throw Problem(path, number, $"has '{rest}' after its value (a Python expression is not read: write the value itself)");
        }
    }

    /// <summary>Whether the text after a literal continues it as a bare INI-style word (no space, no comment).</summary>
    private static bool IsBareWord(ReadOnlySpan<char> rest) => rest.Length > 0 && !char.IsWhiteSpace(rest[0]) && rest[0] is not '#' and not ',';

    /// <summary>An INI-style value: the rest of the line, without a trailing <c> # comment</c>.</summary>
    private static string Bare(string text)
    {
        for (var i = 1; i < text.Length; i++)
        {
            if (text[i] == '#' && char.IsWhiteSpace(text[i - 1]))
            {
                return text[..i].TrimEnd();
            }
        }
        return text;
    }

    private static bool StartsWithWord(ReadOnlySpan<char> text, string word) =>
        text.StartsWith(word, StringComparison.Ordinal) && (text.Length == word.Length || !char.IsAsciiLetterOrDigit(text[word.Length]) && text[word.Length] != '_');

    private static SettingsException Problem(string path, int number, string problem) =>
        new("config", $"'{path}' line {number} {problem}");
}
