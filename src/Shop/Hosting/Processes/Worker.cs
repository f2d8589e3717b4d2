using System.Globalization;
using System.Runtime.InteropServices;
using Microsoft.AspNetCore.Hosting;

namespace Shop.Hosting.Processes;

/// <summary>
/// A worker process of a master (<see cref="Master"/>): it serves the listening sockets it inherited,
/// beats its heartbeat file while it is alive, stops gracefully on TERM (as a single process does),
/// leaves after <c>max_requests</c>, and stops when the master is gone (its standard input, a pipe from
/// the master, reaches end of file).
/// </summary>
public static class Worker
{
    public static async Task<int> RunAsync(ShopSettings settings, WorkerEnvironment environment, CancellationToken cancellationToken)
    {
        ProcessTitle.Set($"{settings.ProcName}: worker");
        await using var app = Program.BuildApp(settings, builder =>
        {
            // The master bound the addresses; this process only accepts on them.
            builder.WebHost.UseUrls();
            var listeners = new WorkerListeners();
            builder.Services.AddSingleton(listeners);
            builder.WebHost.UseSockets(sockets => sockets.CreateBoundListenSocket = listeners.Create);
            builder.WebHost.ConfigureKestrel(kestrel =>
            {
                foreach (var fd in environment.ListenFds)
                {
                    kestrel.ListenHandle((ulong)fd);
                }
            });
            if (settings.MaxRequests > 0)
            {
                builder.Services.AddSingleton<IStartupFilter>(new MaxRequestsFilter(settings.MaxRequests + Random.Shared.Next(settings.MaxRequestsJitter + 1)));
            }
        });
        var lifetime = app.Lifetime;
        // HUP and USR1 are the master's to act on; here they must not end the process (their
        // default action). The log files reopen on USR1 where the logging sets that up.
        using var hup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, context => context.Cancel = true);
        using var usr1 = PosixSignalRegistration.Create((PosixSignal)Posix.SigUsr1, context => context.Cancel = true);
        await app.StartAsync(cancellationToken);
        await File.WriteAllTextAsync(environment.HeartbeatFile, Environment.ProcessId.ToString(CultureInfo.InvariantCulture), cancellationToken);
        WatchMaster(lifetime);
        using var beating = CancellationTokenSource.CreateLinkedTokenSource(lifetime.ApplicationStopping);
        var heartbeat = BeatAsync(environment.HeartbeatFile, settings.Timeout, beating.Token);
        await app.WaitForShutdownAsync(cancellationToken);
        await beating.CancelAsync();
        await heartbeat;
        return 0;
    }

    /// <summary>Touches the heartbeat file often enough that the master never finds it older than <c>timeout</c>.</summary>
    private static async Task BeatAsync(string file, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var interval = timeout > TimeSpan.Zero
            ? TimeSpan.FromTicks(Math.Clamp(timeout.Ticks / 4, TimeSpan.FromMilliseconds(200).Ticks, TimeSpan.FromSeconds(5).Ticks))
            : TimeSpan.FromSeconds(5);
        using var timer = new PeriodicTimer(interval);
        var stuckWhile = Environment.GetEnvironmentVariable(WorkerEnvironment.TestOnlyStopHeartbeatVariable);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                if (stuckWhile is null || !File.Exists(stuckWhile))
                {
                    File.SetLastWriteTimeUtc(file, DateTime.UtcNow);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (IOException)
        {
            // The master removed its folder: it is stopping, and so is this worker.
        }
    }

    /// <summary>Stops gracefully when standard input, the master's end of a pipe, closes: the master is gone.</summary>
    private static void WatchMaster(IHostApplicationLifetime lifetime)
    {
        var thread = new Thread(() =>
        {
            using var input = Console.OpenStandardInput();
            var buffer = new byte[64];
            try
            {
                while (input.Read(buffer) > 0)
                {
                }
            }
            catch (IOException)
            {
            }
            lifetime.StopApplication();
        })
        {
            IsBackground = true,
            Name = "master watch",
        };
        thread.Start();
    }

    /// <summary>Stops the worker gracefully once it has taken its share of requests, for the master to replace it.</summary>
    private sealed class MaxRequestsFilter(int limit) : IStartupFilter
    {
        private int _requests;

        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            var lifetime = app.ApplicationServices.GetRequiredService<IHostApplicationLifetime>();
            app.Use((context, nextMiddleware) =>
            {
                if (Interlocked.Increment(ref _requests) == limit)
                {
                    lifetime.StopApplication();
                }
                return nextMiddleware(context);
            });
            next(app);
        };
    }
}
