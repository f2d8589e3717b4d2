using System.Globalization;
using System.Text;
using Serilog.Core;
using Serilog.Events;
using Serilog.Formatting;

namespace Shop.Infrastructure.Logging;

/// <summary>
/// A log file written in whole lines that can be reopened. Hand-written because Serilog's file sink
/// can neither reopen its file on a signal (logrotate without <c>copytruncate</c> moves the file away)
/// nor take back the half line a full disk cut off.
/// </summary>
/// <remarks>
/// Lines are collected whole and written with one write; when the write fails (no room on the disk),
/// the file is cut back to where it was before, so the lines are lost whole and the next line starts
/// at a line start. With a flush interval the lines wait in memory up to that long (the access log),
/// otherwise each is written at once (the service log).
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
    private FileStream _file;
    private long _lostLines;
    private int _pendingLines;

    public LineFileSink(string path, ITextFormatter formatter, TimeSpan? flushInterval = null)
    {
        _path = path;
        _formatter = formatter;
        _file = Open(path);
        if (flushInterval is { } interval)
        {
            _buffered = true;
            _flusher = new Timer(_ => Flush(), null, interval, interval);
        }
    }

    /// <summary>Lines dropped whole because the disk had no room for them.</summary>
    public long LostLines => Interlocked.Read(ref _lostLines);

    /// <summary>Opens <paramref name="path"/> for appending, creating it and its folder; throws as <see cref="File.Open(string, FileMode)"/> does.</summary>
    public static FileStream Open(string path)
    {
        if (Path.GetDirectoryName(Path.GetFullPath(path)) is { } folder)
        {
            Directory.CreateDirectory(folder);
        }
        return new(path, new FileStreamOptions { Mode = FileMode.OpenOrCreate, Access = FileAccess.Write, Share = FileShare.ReadWrite | FileShare.Delete, BufferSize = 0 });
    }

    public void Emit(LogEvent logEvent)
    {
        lock (_lock)
        {
            var text = _line.GetStringBuilder().Clear();
            _formatter.Format(logEvent, _line);
            _pending.Write(Utf8.GetBytes(text.ToString()));
            _pendingLines++;
            if (!_buffered || _pending.Length >= MaxPending)
            {
                FlushLocked();
            }
        }
    }

    /// <summary>Writes the waiting lines, then closes the file and opens the path anew (after logrotate moved or removed it).</summary>
    public void Reopen()
    {
        lock (_lock)
        {
            FlushLocked();
            var next = Open(_path);
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
        // From the end as it is now: another process appending to the same file is not overwritten.
        var start = _file.Seek(0, SeekOrigin.End);
        try
        {
            _file.Write(_pending.GetBuffer(), 0, (int)_pending.Length);
        }
        catch (IOException)
        {
            Interlocked.Add(ref _lostLines, _pendingLines);
            try
            {
                // Cut off whatever part of the lines did reach the file.
                _file.SetLength(start);
            }
            catch (IOException)
            {
                // Nothing can be done about this file now; the next write starts where it ends.
            }
        }
        finally
        {
            _pending.SetLength(0);
            _pendingLines = 0;
        }
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
