using Serilog.Formatting;

namespace Shop.Infrastructure.Logging;

/// <summary>
/// The log files of one service instance (<c>log_file</c>, <c>access_logfile</c>), so that all of them
/// are reopened at once: on SIGUSR1 (<see cref="LogReopenSignal"/>), or when a master process asks
/// its worker through <see cref="Reopen"/>.
/// </summary>
public sealed class LogFiles
{
    private readonly Lock _lock = new();
    private readonly List<LineFileSink> _open = [];

    /// <summary>Opens <paramref name="path"/> as a log file of this instance.</summary>
    public LineFileSink Open(string path, ITextFormatter formatter, TimeSpan? flushInterval = null)
    {
        var sink = new LineFileSink(path, formatter, flushInterval);
        lock (_lock)
        {
            _open.Add(sink);
        }
        return sink;
    }

    /// <summary>
    /// Closes and reopens every log file of this instance (after logrotate moved them away). Returns
    /// what stopped a file from being opened anew (it goes on being written where it was), if anything.
    /// </summary>
    public IReadOnlyList<string> Reopen()
    {
        var problems = new List<string>();
        lock (_lock)
        {
            foreach (var sink in _open)
            {
                try
                {
                    sink.Reopen();
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    problems.Add($"{sink.Path}: {ex.Message}");
                }
            }
        }
        return problems;
    }

    /// <summary>
    /// The start-up error for a log file that cannot be opened for writing (a folder the service user
    /// may not write to), in the settings' one-line form, or null when every log file can be opened.
    /// </summary>
    public static string? FindProblem(LogOptions options)
    {
        foreach (var (setting, path) in new[] { ("log_file", options.LogFile), ("access_logfile", options.AccessLogfile) })
        {
            if (path is null or "-")
            {
                continue;
            }
            try
            {
                AppendFile.Open(path).Dispose();
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                return $"{setting}: cannot open '{path}' for writing: {ex.Message}";
            }
        }
        return null;
    }
}
