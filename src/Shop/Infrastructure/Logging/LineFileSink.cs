using System.Globalization;
using System.Text;
using Serilog.Core;
using Serilog.Events;
using Serilog.Formatting;

namespace Shop.Infrastructure.Logging;

/// <summary>
/// Shop's one log file sink, for the service log and the access log, in a single process and in every
/// process of a master alike: each event is formatted as one whole line and appended with one write
/// to a file opened with <c>O_APPEND</c> (<see cref="AppendFile"/>), so lines of several processes never
/// interleave or tear, and the file can be reopened (<see cref="Reopen"/>, on SIGUSR1 after logrotate).
/// Hand-written because Serilog's file sink cannot reopen its file (logrotate without <c>copytruncate</c>
/// moves it away), and its shared mode takes a lock across processes for every line where
/// <c>O_APPEND</c> needs none.
/// </summary>
/// <remarks>
/// With a flush interval the lines wait in memory up to that long and go out in one write of whole
/// lines (the access log), otherwise each is written at once (the service log). When a write finds no
/// room on the disk its lines are lost whole (<see cref="LostLines"/>) and the next line starts at a
/// line start.
/// </remarks>
public sealed class LineFileSink : ILogEventSink, IDisposable
{
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    /// <summary>Above this many waiting bytes the lines are written without waiting for the interval.</summary>
    private const int MaxPending = 64 * 1024;

    private readonly string _path;
    private readonly ITextFormatter _formatter;
    private readonly bool _buffered;
    private readonly Lock _lock = new();
    private readonly StringWriter _line = new(CultureInfo.InvariantCulture);
    private readonly MemoryStream _pending = new();
    private readonly Timer? _flusher;
    private AppendFile _file;
    private long _lostLines;
    private int _pendingLines;

    public LineFileSink(string path, ITextFormatter formatter, TimeSpan? flushInterval = null)
    {
        _path = path;
        _formatter = formatter;
        _file = AppendFile.Open(path);
        if (flushInterval is { } interval)
        {
            _buffered = true;
            _flusher = new Timer(_ => Flush(), null, interval, interval);
        }
    }

    /// <summary>The file's path, as given.</summary>
    public string Path => _path;

    /// <summary>Lines dropped whole because the disk had no room for them.</summary>
    public long LostLines => Interlocked.Read(ref _lostLines);

    public void Emit(LogEvent logEvent)
    {
        lock (_lock)
        {
            var text = _line.GetStringBuilder().Clear();
            _formatter.Format(logEvent, _line);
            foreach (var chunk in text.GetChunks())
            {
                AppendLocked(chunk.Span);
            }
            EndLineLocked();
        }
    }

    /// <summary>
    /// Appends <paramref name="line"/> and a line end as one line, formatted already: the access log's
    /// path, which has no use for a log event and its template.
    /// </summary>
    public void WriteLine(ReadOnlySpan<char> line)
    {
        lock (_lock)
        {
            AppendLocked(line);
            AppendLocked(Environment.NewLine);
            EndLineLocked();
        }
    }

    private void AppendLocked(ReadOnlySpan<char> text)
    {
        var start = (int)_pending.Length;
        _pending.SetLength(start + Utf8.GetMaxByteCount(text.Length));
        _pending.SetLength(start + Utf8.GetBytes(text, _pending.GetBuffer().AsSpan(start)));
    }

    private void EndLineLocked()
    {
        _pendingLines++;
        if (!_buffered || _pending.Length >= MaxPending)
        {
            FlushLocked();
        }
    }

    /// <summary>
    /// Writes the waiting lines, then closes the file and opens the path anew (after logrotate moved or
    /// removed it); throws as <see cref="AppendFile.Open"/> does, and then goes on writing to the old file.
    /// </summary>
    public void Reopen()
    {
        lock (_lock)
        {
            FlushLocked();
            var next = AppendFile.Open(_path);
            _file.Dispose();
            _file = next;
        }
    }

    public void Flush()
    {
        lock (_lock)
        {
            FlushLocked();
        }
    }

    private void FlushLocked()
    {
        if (_pending.Length == 0)
        {
            return;
        }
        if (!_file.TryAppend(_pending.GetBuffer(), (int)_pending.Length))
        {
            Interlocked.Add(ref _lostLines, _pendingLines);
        }
        _pending.SetLength(0);
        _pendingLines = 0;
    }

    public void Dispose()
    {
        _flusher?.Dispose();
        lock (_lock)
        {
            FlushLocked();
            _file.Dispose();
        }
    }
}
