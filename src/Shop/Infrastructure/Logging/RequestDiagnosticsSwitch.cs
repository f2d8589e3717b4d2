using Serilog.Core;
using Serilog.Events;

namespace Shop.Infrastructure.Logging;

/// <summary>
/// The level of ASP.NET Core's hosting diagnostics logger (<c>Microsoft.AspNetCore.Hosting.Diagnostics</c>).
/// While that logger is enabled at any level, ASP.NET Core starts an <c>Activity</c> and a log scope for
/// every request, whether or not anything is traced or logged; once the application has started, the
/// logger only says "request starting/finished", framework chatter shown at <c>log_level=debug</c>. So
/// it keeps the framework's level through start-up (where it reports a failed start) and is off after
/// it, unless debugging.
/// </summary>
public sealed class RequestDiagnosticsSwitch(LoggingLevelSwitch level, IHostApplicationLifetime lifetime) : IHostedService
{
    public const string Category = "Microsoft.AspNetCore.Hosting.Diagnostics";

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (level.MinimumLevel > LogEventLevel.Debug)
        {
            lifetime.ApplicationStarted.Register(() => level.MinimumLevel = LevelAlias.Off);
        }
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
