using System.Runtime.InteropServices;

namespace Shop.Infrastructure.Logging;

/// <summary>
/// SIGUSR1 reopens the log files, as it does for gunicorn and nginx (logrotate's postrotate sends it);
/// under a master every worker gets it (the master forwards it). The first line in the new files
/// names the process, so an operator sees that every process moved.
/// </summary>
public sealed class LogReopenSignal(LogFiles files, ILogger<LogReopenSignal> log) : IHostedService
{
    /// <summary>SIGUSR1's number: .NET names only the signals every platform has, so it is given as a raw value.</summary>
    public static readonly PosixSignal Usr1 = (PosixSignal)(OperatingSystem.IsMacOS() ? 30 : 10);

    private PosixSignalRegistration? _registration;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (!OperatingSystem.IsWindows())
        {
            _registration = PosixSignalRegistration.Create(Usr1, context =>
            {
                // Without this the runtime goes on to the signal's default action, which ends the process.
                context.Cancel = true;
                Reopen(files, log);
            });
        }
        return Task.CompletedTask;
    }

    /// <summary>Reopens <paramref name="files"/> and says so in them (or why one stays where it was).</summary>
    public static void Reopen(LogFiles files, ILogger log)
    {
        var problems = files.Reopen();
        foreach (var problem in problems)
        {
            log.Warning("USR1: a log file could not be opened anew and is written where it was: {Problem}", problem);
        }
        log.Info("USR1: process {Pid} reopened its log files", Environment.ProcessId);
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _registration?.Dispose();
        return Task.CompletedTask;
    }
}
