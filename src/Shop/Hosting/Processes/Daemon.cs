using System.Diagnostics;
using System.Reflection;

namespace Shop.Hosting.Processes;

/// <summary>
/// <c>serve --daemon</c>: the command starts itself again as a detached child (a new session, standard
/// streams on /dev/null) and returns once that child answers <c>/healthz</c>, or fails with the child's
/// own error line. The child reports through a status file, because its standard streams are gone.
/// </summary>
public static class Daemon
{
    public const string StatusVariable = "SHOP_DAEMON_STATUS";
    private static readonly TimeSpan StartLimit = TimeSpan.FromMinutes(2);

    private static StreamWriter? _status;

    /// <summary>Whether this process is the detached child of a <c>serve --daemon</c>.</summary>
    public static bool IsChild => Environment.GetEnvironmentVariable(StatusVariable) is { Length: > 0 };

    /// <summary>The command's side: starts the child and waits until it serves or fails.</summary>
    public static async Task<int> StartAsync(IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        var status = Path.Combine(Path.GetTempPath(), $"shop-daemon-{Guid.NewGuid():N}.status");
        await File.WriteAllTextAsync(status, "", cancellationToken);
        try
        {
            var executable = Environment.ProcessPath!;
            // Fresh pipes, not this command's standard streams: the runtime keeps copies of the streams it
            // opened before the child detaches, and a copy of the caller's pipe would keep it waiting.
            var info = new ProcessStartInfo(executable)
            {
                UseShellExecute = false,
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            if (Path.GetFileNameWithoutExtension(executable) == "dotnet")
            {
                info.ArgumentList.Add(Assembly.GetEntryAssembly()!.Location);
            }
            foreach (var argument in arguments)
            {
                info.ArgumentList.Add(argument);
            }
            info.Environment[StatusVariable] = status;
            using var child = Process.Start(info)!;
            child.StandardInput.Close();
            _ = child.StandardOutput.ReadToEndAsync(cancellationToken);
            _ = child.StandardError.ReadToEndAsync(cancellationToken);
            var watch = Stopwatch.StartNew();
            using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            while (watch.Elapsed < StartLimit)
            {
                var report = await File.ReadAllTextAsync(status, cancellationToken);
                if (report.Split('\n').FirstOrDefault(l => l.StartsWith("ready ", StringComparison.Ordinal)) is { } ready
                    && await AnswersAsync(client, new Uri(new Uri(ready["ready ".Length..]), "/healthz"), cancellationToken))
                {
                    return 0;
                }
                if (child.HasExited)
                {
                    var problem = report.Trim();
                    await Console.Error.WriteLineAsync(problem.Length > 0 ? problem : $"shop: error: daemon: the service exited with code {child.ExitCode} before it answered");
                    return child.ExitCode == 0 ? 1 : child.ExitCode;
                }
                await Task.Delay(100, cancellationToken);
            }
            await Console.Error.WriteLineAsync($"shop: error: daemon: the service (pid {child.Id}) did not answer within {StartLimit.TotalSeconds:0} s; see the log");
            return 1;
        }
        finally
        {
            File.Delete(status);
        }
    }

    /// <summary>The child's side, first thing: a new session, standard streams on /dev/null, errors to the status file.</summary>
    public static void Detach()
    {
        Posix.NewSession();
        using (var devNull = File.OpenHandle("/dev/null", FileMode.Open, FileAccess.ReadWrite))
        {
            Posix.Redirect(devNull.DangerousGetHandle(), 0);
            Posix.Redirect(devNull.DangerousGetHandle(), 1);
            Posix.Redirect(devNull.DangerousGetHandle(), 2);
        }
        _status = new StreamWriter(new FileStream(Environment.GetEnvironmentVariable(StatusVariable)!, FileMode.Append, FileAccess.Write, FileShare.ReadWrite)) { AutoFlush = true };
        // The one-line errors of start-up (written to standard error) reach the waiting command.
        Console.SetError(_status);
    }

    /// <summary>The child serves at <paramref name="url"/>: the waiting command may return.</summary>
    public static void ReportReady(string url)
    {
        if (_status is null)
        {
            return;
        }
        _status.WriteLine($"ready {url}");
        Console.SetError(new StreamWriter(Console.OpenStandardError()) { AutoFlush = true });
        _status.Dispose();
        _status = null;
    }

    private static async Task<bool> AnswersAsync(HttpClient client, Uri healthz, CancellationToken cancellationToken)
    {
        try
        {
            return (await client.GetAsync(healthz, cancellationToken)).IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }
}
