using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http.Features.Authentication;
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
    private static readonly SearchValues<char> Special = SearchValues.Create(
        "\\\"\u2028\u2029" + string.Concat(Enumerable.Range(0, 0xA0).Select(i => (char)i).Where(char.IsControl)));

    /// <summary>How long an access line may wait in the buffer before it is in the file.</summary>
    public static readonly TimeSpan FlushInterval = TimeSpan.FromSeconds(1);

    private readonly LineFileSink? _file;
    private readonly Logger? _console;
    private Stamp _stamp = new(-1, "");

    /// <param name="target">The file, <c>-</c> for standard output, null for none.</param>
    /// <param name="files">Opens the file, reopened on SIGUSR1 and shared with the other workers of a master.</param>
    public AccessLog(string? target, LogFiles files)
    {
        if (target == "-")
        {
            _console = new LoggerConfiguration().WriteTo.Console(outputTemplate: "{Message:l}{NewLine}", formatProvider: null).CreateLogger();
        }
        else if (target is not null)
        {
            // Buffered, flushed every second: a write(2) per line is a large share of a GET's cost. A
            // crash can lose the last second of access lines; the service log, which says what went
            // wrong, stays unbuffered. The line goes into the buffer on the request's own thread
            // (a copy under a lock): a background writer would wake a thread for every request. It
            // goes in as formatted text, without a log event: its fields are fixed.
            _file = files.Open(target, new Serilog.Formatting.Display.MessageTemplateTextFormatter("{Message:l}{NewLine}"), FlushInterval);
        }
    }

    public bool Enabled => _file is not null || _console is not null;

    public void Write(HttpContext context, long startTimestamp, long bodyBytes)
    {
        var elapsed = Stopwatch.GetElapsedTime(startTimestamp);
        var buffer = ArrayPool<char>.Shared.Rent(1024);
        try
        {
            int written;
            while (!TryFormat(buffer, context, elapsed, bodyBytes, out written))
            {
                var length = buffer.Length * 2;
                ArrayPool<char>.Shared.Return(buffer);
                buffer = ArrayPool<char>.Shared.Rent(length);
            }
            if (_file is not null)
            {
                _file.WriteLine(buffer.AsSpan(0, written));
            }
            else
            {
                _console!.Information("{Line}", new string(buffer, 0, written));
            }
        }
        finally
        {
            ArrayPool<char>.Shared.Return(buffer);
        }
    }

    private bool TryFormat(Span<char> destination, HttpContext context, TimeSpan elapsed, long bodyBytes, out int written)
    {
        var request = context.Request;
        // The authentication feature, not HttpContext.User: that getter makes an empty principal for
        // a request that authentication never saw (one answered from memory).
        var user = context.Features.Get<IHttpAuthenticationFeature>()?.User?.Identity?.Name is { Length: > 0 } name ? name : "-";
        var query = request.QueryString.Value;
        // The path as sent on the wire (escaped), not as decoded for routing.
        var path = request.Path.ToUriComponent();
        var target = string.IsNullOrEmpty(query) ? path : path + Redacted(query);
        var microseconds = (elapsed.Ticks + 5) / 10;
        return destination.TryWrite(CultureInfo.InvariantCulture,
            $"{context.Connection.RemoteIpAddress?.ToString() ?? "-"} - {Quote(user, bare: true)} [{Timestamp()}] \"{request.Method} {Quote(target, bare: true)} {request.Protocol}\" {context.Response.StatusCode} {(bodyBytes > 0 && !HttpMethods.IsHead(request.Method) ? bodyBytes.ToString(CultureInfo.InvariantCulture) : "-")} \"{Quote(request.Headers.Referer.ToString())}\" \"{Quote(request.Headers.UserAgent.ToString())}\" {microseconds / 1_000_000}.{microseconds % 1_000_000:D6} {context.TraceIdentifier}",
            out written);
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

    /// <summary>The local time of this second, formatted once a second rather than on every line.</summary>
    private string Timestamp()
    {
        var now = DateTime.UtcNow;
        var second = now.Ticks / TimeSpan.TicksPerSecond;
        var stamp = Volatile.Read(ref _stamp);
        if (stamp.Second != second)
        {
            var time = new DateTimeOffset(new DateTime(second * TimeSpan.TicksPerSecond, DateTimeKind.Utc)).ToLocalTime();
            stamp = new Stamp(second, string.Create(CultureInfo.InvariantCulture,
                $"{time:dd/MMM/yyyy:HH:mm:ss} {(time.Offset < TimeSpan.Zero ? '-' : '+')}{time.Offset:hhmm}"));
            Volatile.Write(ref _stamp, stamp);
        }
        return stamp.Text;
    }

    private sealed record Stamp(long Second, string Text);

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

    public void Dispose()
    {
        _file?.Dispose();
        _console?.Dispose();
    }
}
