using System.Diagnostics;
using System.Globalization;
using System.Text;
using Serilog;
using Serilog.Core;

namespace Shop.Infrastructure.Logging;

/// <summary>
/// The access log (<c>access_logfile</c>): Apache's combined format plus the request time in
/// seconds and the request id, one line per request, buffered in memory and written once a
/// second (<see cref="LineFileSink"/>). The size is the
/// body bytes actually sent (counted, since most answers are chunked), <c>-</c> for none (and for
/// HEAD, whose body is written by the handler but never sent).
/// <c>127.0.0.1 - alice [24/Nov/2026:01:53:19 +0000] "GET /api/v1/goods HTTP/1.1" 200 512 "-" "curl/8.5" 0.001234 3f2a…</c>
/// </summary>
public sealed class AccessLog : IDisposable
{
    private static readonly System.Buffers.SearchValues<char> Special = System.Buffers.SearchValues.Create(
        "\\\"\u2028\u2029" + string.Concat(Enumerable.Range(0, 0xA0).Select(i => (char)i).Where(char.IsControl)));

    /// <summary>How long an access line may wait in the buffer before it is in the file.</summary>
    public static readonly TimeSpan FlushInterval = TimeSpan.FromSeconds(1);

    private readonly Logger? _logger;

    /// <param name="target">The file, <c>-</c> for standard output, null for none.</param>
    /// <param name="files">Opens the file, reopened on SIGUSR1 and shared with the other workers of a master.</param>
    public AccessLog(string? target, LogFiles files)
    {
        if (target is null)
        {
            return;
        }
        var configuration = new LoggerConfiguration();
        _logger = (target == "-"
            ? configuration.WriteTo.Console(outputTemplate: "{Message:l}{NewLine}", formatProvider: null)
            // Buffered, flushed every second: a write(2) per line is a large share of a GET's cost. A
            // crash can lose the last second of access lines; the service log, which says what went
            // wrong, stays unbuffered. The line goes into the buffer on the request's own thread
            // (a copy under a lock): a background writer would wake a thread for every request.
            : configuration.WriteTo.Sink(files.Open(target, new Serilog.Formatting.Display.MessageTemplateTextFormatter("{Message:l}{NewLine}"), FlushInterval)))
            .CreateLogger();
    }

    public bool Enabled => _logger is not null;

    public void Write(HttpContext context, long startTimestamp, long bodyBytes)
    {
        var request = context.Request;
        var response = context.Response;
        var seconds = Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds;
        var user = context.User.Identity?.Name is { Length: > 0 } name ? name : "-";
        var line = string.Create(CultureInfo.InvariantCulture,
            $"{context.Connection.RemoteIpAddress?.ToString() ?? "-"} - {Quote(user, bare: true)} [{Timestamp(DateTimeOffset.Now)}] \"{request.Method} {Quote(request.Path + Redacted(request.QueryString.Value), bare: true)} {request.Protocol}\" {response.StatusCode} {(bodyBytes > 0 && !HttpMethods.IsHead(request.Method) ? bodyBytes.ToString(CultureInfo.InvariantCulture) : "-")} \"{Quote(request.Headers.Referer.ToString())}\" \"{Quote(request.Headers.UserAgent.ToString())}\" {seconds:0.000000} {context.TraceIdentifier}");
        _logger!.Information("{Line}", line);
    }

    /// <summary>Query parameters whose value is a credential: written as <c>REDACTED</c>, never in full.</summary>
    public static readonly IReadOnlySet<string> CredentialParameters = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "access_token", "api_key", "apikey", "x-api-key", "token", "key", "password", "passwd", "secret", "client_secret",
        "refresh_token", "id_token", "auth", "authorization", "session", "signature", "sig",
    };

    /// <summary>The query string with the values of <see cref="CredentialParameters"/> replaced.</summary>
    internal static string Redacted(string? query)
    {
        if (string.IsNullOrEmpty(query))
        {
            return "";
        }
        var parts = query[1..].Split('&');
        var changed = false;
        for (var i = 0; i < parts.Length; i++)
        {
            var equals = parts[i].IndexOf('=', StringComparison.Ordinal);
            var name = equals < 0 ? parts[i] : parts[i][..equals];
            if (equals >= 0 && CredentialParameters.Contains(Uri.UnescapeDataString(name.Replace('+', ' '))))
            {
                parts[i] = name + "=REDACTED";
                changed = true;
            }
        }
        return changed ? "?" + string.Join('&', parts) : query;
    }

    private static string Timestamp(DateTimeOffset time) => string.Create(CultureInfo.InvariantCulture,
        $"{time:dd/MMM/yyyy:HH:mm:ss} {(time.Offset < TimeSpan.Zero ? '-' : '+')}{time.Offset:hhmm}");

    /// <summary>Escapes what could break the line format; client-controlled text must not forge lines.</summary>
    private static string Quote(string value, bool bare = false)
    {
        if (value.Length == 0)
        {
            return "-";
        }
        // The common case, plain printable text, is returned as it is without allocating.
        if (!value.AsSpan().ContainsAny(Special) && !(bare && value.Contains(' ', StringComparison.Ordinal)))
        {
            return value;
        }
        var builder = new StringBuilder(value.Length + 8);
        foreach (var c in value)
        {
            _ = c switch
            {
                '\\' => builder.Append(@"\\"),
                '"' => builder.Append("\\\""),
                ' ' when bare => builder.Append('+'),
                _ when c is '\u2028' or '\u2029' => builder.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}"),
                _ when char.IsControl(c) => builder.Append(CultureInfo.InvariantCulture, $"\\x{(int)c:x2}"),
                _ => builder.Append(c),
            };
        }
        return builder.ToString();
    }

    public void Dispose() => _logger?.Dispose();
}
