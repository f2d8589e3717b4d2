using System.Runtime.InteropServices;

namespace Shop.Infrastructure.Logging;

/// <summary>SIGUSR1 reopens the log files, as it does for gunicorn and nginx (logrotate's postrotate sends it).</summary>
public sealed class LogReopenSignal(LogFiles files) : IHostedService
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
                files.Reopen();
            });
        }
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _registration?.Dispose();
        return Task.CompletedTask;
    }
}
