using Shop.Hosting.Processes;
using Shop.Infrastructure.Logging;

namespace Shop.Hosting;

/// <summary>
/// Graceful stop behind a load balancer, after Kubernetes' preStop pattern: when the host is asked
/// to stop (SIGTERM), the instance first keeps serving for <see cref="ShopSettings.DrainDelay"/>
/// while <c>/readyz</c> answers 503 and every answer carries <c>Connection: close</c>, so balancers
/// stop choosing it and nginx's kept-alive connections move to other instances. Only then does
/// Kestrel close its port and finish the requests in flight (within the host's shutdown timeout).
/// A worker process (<see cref="WorkerListeners"/>) then stops accepting and, for one second more,
/// closes each kept-alive connection after its next answer, so Kestrel's stop cuts off no request
/// that a client had just sent on one.
/// </summary>
/// <remarks>
/// The host signals <see cref="IHostApplicationLifetime.ApplicationStopping"/> when the stop
/// begins, then runs every <see cref="IHostedLifecycleService.StoppingAsync"/> before it stops any
/// hosted service; the web server is one of those, so the delay sits between the two.
/// </remarks>
public static class Draining
{
    public static IServiceCollection AddDraining(this IServiceCollection services, ShopSettings settings)
    {
        services.AddHostedService(provider => new DrainDelay(
            settings.DrainDelay, provider.GetService<WorkerListeners>(), provider.GetRequiredService<ILoggerFactory>()));
        // The delay is spent inside the host's shutdown timeout, so the requests in flight keep theirs.
        services.PostConfigure<HostOptions>(options => options.ShutdownTimeout += BeforeThePortCloses(settings));
        services.AddTransient<IStartupFilter, CloseConnectionsWhileDraining>();
        return services;
    }

    /// <summary>How much longer than <c>graceful_timeout</c> a stopping process may take: the drain and a worker's leave.</summary>
    public static TimeSpan BeforeThePortCloses(ShopSettings settings) => settings.DrainDelay + WorkerListeners.LeaveWindow;

    /// <summary>True from the moment the host is asked to stop.</summary>
    public static bool IsDraining(this IHostApplicationLifetime lifetime) => lifetime.ApplicationStopping.IsCancellationRequested;

    private sealed class DrainDelay(TimeSpan delay, WorkerListeners? listeners, ILoggerFactory logs) : IHostedLifecycleService
    {
        public async Task StoppingAsync(CancellationToken cancellationToken)
        {
            var log = logs.CreateLogger(typeof(Draining));
            if (delay > TimeSpan.Zero)
            {
                log.Info("Stopping: draining for {Seconds} s (/readyz answers 503) before closing the port", delay.TotalSeconds);
                await WaitAsync(delay, cancellationToken);
            }
            if (listeners is not null)
            {
                listeners.StopAccepting();
                log.Debug("Stopping: accepting no more connections; the kept-alive ones close after their next answer");
                await WaitAsync(WorkerListeners.LeaveWindow, cancellationToken);
            }
        }

        private static async Task WaitAsync(TimeSpan delay, CancellationToken cancellationToken)
        {
            try
            {
                await Task.Delay(delay, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                // The shutdown timeout ran out: stop now.
            }
        }

        public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    /// <summary>The outermost middleware: while draining, each answer closes its connection after it.</summary>
    private sealed class CloseConnectionsWhileDraining(IHostApplicationLifetime lifetime) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, nextMiddleware) =>
            {
                if (lifetime.IsDraining())
                {
                    // OnStarting, because an error answer clears the headers set before it.
                    context.Response.OnStarting(() =>
                    {
                        context.Response.Headers.Connection = "close";
                        return Task.CompletedTask;
                    });
                }
                return nextMiddleware(context);
            });
            next(app);
        };
    }
}
