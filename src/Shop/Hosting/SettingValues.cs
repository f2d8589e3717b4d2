using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Shop.Hosting;

/// <summary>Parsers for setting values, each failing with a message that names the setting.</summary>
internal static class SettingValues
{
    private const string BindExample = "for example 127.0.0.1:5000 or [::1]:5000";

    /// <summary>
    /// HOST:PORT entries, where HOST is an IPv4 address, a bracketed IPv6 address, <c>localhost</c>,
    /// or 0.0.0.0 / [::] for every interface. Host names are refused: Kestrel listens on every
    /// interface for any host it cannot read as an address, so a typo would expose the service.
    /// </summary>
    public static IReadOnlyList<string> Bind(string raw)
    {
        var items = raw.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (items.Length == 0)
        {
            throw new SettingsException("bind", $"needs at least one HOST:PORT ({BindExample})");
        }
        foreach (var item in items)
        {
            var (host, port) = HostAndPort(item);
            if (host.Length == 0)
            {
                throw new SettingsException("bind", $"'{item}' is not HOST:PORT ({BindExample})");
            }
            if (host.Contains(':') && !host.StartsWith('['))
            {
                throw new SettingsException("bind", $"'{item}' is not HOST:PORT (an IPv6 address goes in brackets: [::1]:5000)");
            }
            if (port is null or > 65535)
            {
                throw new SettingsException("bind", $"'{item}' has no PORT from 0 to 65535 ({BindExample})");
            }
            var isLocalhost = host.Equals("localhost", StringComparison.OrdinalIgnoreCase);
            if (!isLocalhost && ListenAddress(host) is null)
            {
                throw new SettingsException("bind", $"'{item}': HOST must be an IPv4 address, a bracketed IPv6 address, localhost, "
                    + "or 0.0.0.0 / [::] for every interface (Kestrel would listen on every interface for anything else)");
            }
            if (isLocalhost && port == 0)
            {
                // Kestrel cannot pick one free port for both of localhost's addresses and fails at start-up.
                throw new SettingsException("bind", $"'{item}': localhost needs a fixed PORT (use 127.0.0.1:0 for any free port)");
            }
        }
        return items;
    }

    /// <summary>
    /// A bind entry split at its last colon: HOST ("" when there is none) and PORT (null when it
    /// is not a whole number). The one place that reads HOST:PORT, for the setting and the listen check.
    /// </summary>
    public static (string Host, int? Port) HostAndPort(string item)
    {
        var colon = item.LastIndexOf(':');
        return (colon > 0 ? item[..colon] : "",
            int.TryParse(item[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port) ? port : null);
    }

    /// <summary>
    /// The address of a bind HOST other than localhost: a dotted-quad IPv4 address, or an IPv6
    /// address in brackets without a zone; null for anything else. <see cref="IPAddress.TryParse(string, out IPAddress)"/>
    /// alone is too lenient (it reads "10.1" as 10.0.0.1 and "010.0.0.1" as octal).
    /// </summary>
    public static IPAddress? ListenAddress(string host)
    {
        if (host.StartsWith('[') && host.EndsWith(']'))
        {
            return IPAddress.TryParse(host[1..^1], out var v6) && v6.AddressFamily == AddressFamily.InterNetworkV6 && v6.ScopeId == 0
                && !host.Contains('%') ? v6 : null;
        }
        var parts = host.Split('.');
        var isDottedQuad = parts.Length == 4 && parts.All(p => p.Length is > 0 and <= 3 && p.All(char.IsAsciiDigit)
            && (p.Length == 1 || p[0] != '0') && int.Parse(p, CultureInfo.InvariantCulture) <= 255);
        return isDottedQuad ? IPAddress.Parse(host) : null;
    }

    public static int Integer(string setting, string raw, int min, int max) =>
        int.TryParse(raw, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
            ? value
            : throw new SettingsException(setting, $"must be an integer from {min} to {max} (got '{raw}')");

    public static bool Boolean(string setting, string raw) => raw.ToLowerInvariant() switch
    {
        "true" or "1" or "yes" or "on" => true,
        "false" or "0" or "no" or "off" or "" => false,
        _ => throw new SettingsException(setting, $"must be true or false (got '{raw}')"),
    };

    public static string OneOf(string setting, string raw, params string[] allowed) =>
        allowed.Contains(raw.ToLowerInvariant())
            ? raw.ToLowerInvariant()
            : throw new SettingsException(setting, $"must be one of {string.Join(", ", allowed)} (got '{raw}')");

    /// <summary>A duration such as <c>90s</c>, <c>30m</c>, <c>24h</c> or <c>7d</c> (a bare number is seconds).</summary>
    public static TimeSpan Duration(string setting, string raw, TimeSpan min, TimeSpan max)
    {
        var text = raw.Trim().ToLowerInvariant();
        var hasUnit = text.Length > 0 && char.IsLetter(text[^1]);
        var unit = hasUnit ? text[^1] : 's';
        var number = hasUnit ? text[..^1] : text;
        TimeSpan? value = long.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n <= 1_000_000_000 ? unit switch
        {
            's' => TimeSpan.FromSeconds(n),
            'm' => TimeSpan.FromMinutes(n),
            'h' => TimeSpan.FromHours(n),
            'd' => TimeSpan.FromDays(n),
            _ => null,
        } : null;
        return value is { } duration && duration >= min && duration <= max
            ? duration
            : throw new SettingsException(setting, $"must be a duration from {Describe(min)} to {Describe(max)} such as 30m, 24h or 7d (got '{raw}')");
    }

    private static string Describe(TimeSpan span) =>
        span == TimeSpan.Zero ? "0s" : span.TotalDays >= 1 ? $"{span.TotalDays:0}d" : span.TotalHours >= 1 ? $"{span.TotalHours:0}h" : $"{span.TotalMinutes:0}m";

    public static IReadOnlyList<IPAddress> Addresses(string setting, string raw) =>
        raw.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(a => IPAddress.TryParse(a, out var ip) ? ip : throw new SettingsException(setting, $"'{a}' is not an IP address"))
            .ToList();

    public static string Database(string raw)
    {
        if (Infrastructure.Data.PostgresUri.IsPostgres(raw))
        {
            try
            {
                _ = Infrastructure.Data.PostgresUri.ToConnectionString(raw);
                return raw;
            }
            catch (FormatException ex)
            {
                throw new SettingsException("database", ex.Message);
            }
        }
        var directory = Path.GetDirectoryName(Path.GetFullPath(raw));
        return string.IsNullOrWhiteSpace(raw) || raw.Contains(';') || (directory is not null && !Directory.Exists(directory))
            ? throw new SettingsException("database", $"'{raw}' is not a usable SQLite file path (does its folder exist?)")
            : raw;
    }

    /// <summary>The Redis address (<see cref="Infrastructure.Cache.RedisAddress"/>), checked here so that a bad one stops start-up; empty = none.</summary>
    public static string? Redis(string raw)
    {
        if (string.IsNullOrWhiteSpace(raw))
        {
            return null;
        }
        try
        {
            Infrastructure.Cache.RedisAddress.Parse(raw.Trim());
            return raw.Trim();
        }
        catch (FormatException ex)
        {
            throw new SettingsException("redis", ex.Message);
        }
    }

    public static Uri HttpUrl(string setting, string raw) =>
        Uri.TryCreate(raw, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && uri.Host.Length > 0
            ? uri
            : throw new SettingsException(setting, $"'{raw}' is not an http:// or https:// URL");

    public static string? LogTarget(string setting, string raw)
    {
        if (raw.Length == 0 || raw == "-")
        {
            return raw.Length == 0 ? null : "-";
        }
        var directory = Path.GetDirectoryName(Path.GetFullPath(raw));
        return directory is not null && !Directory.Exists(directory)
            ? throw new SettingsException(setting, $"the folder of '{raw}' does not exist")
            : raw;
    }

    /// <summary>The name in <c>ps</c>: printable text without control characters, 1 to 64 characters.</summary>
    public static string ProcName(string raw) =>
        raw.Length is >= 1 and <= 64 && !raw.Any(char.IsControl)
            ? raw
            : throw new SettingsException("proc_name", "must be 1 to 64 printable characters");
}
