using System.CommandLine;
using System.Runtime.InteropServices;
using Serilog;
using Shop.Hosting.Processes;
using Shop.Infrastructure.Logging;

namespace Shop.Hosting;

/// <summary><c>shop serve</c> (the default command): the HTTP service, with gunicorn's flags.</summary>
public static class ServeCommand
{
    public static Command Create()
    {
        var bind = new Option<string[]>("--bind", "-b") { Description = "HOST:PORT to listen on (repeatable; default 127.0.0.1:5000)" };
        var workers = new Option<string?>("--workers", "-w") { Description = "Worker processes; more than 1 runs a master that starts and watches them" };
        var pidfile = new Option<string?>("--pidfile") { Description = "Write the (master) process id to this file" };
        var accessLog = new Option<string?>("--access-logfile") { Description = "Access log file ('-' = standard output)" };
        var logFile = new Option<string?>("--log-file", "--error-logfile") { Description = "Service log file ('-' = standard output; default standard error)" };
        var logLevel = new Option<string?>("--log-level") { Description = "debug, info, warning or error" };
        var procName = new Option<string?>("--name", "-n") { Description = "proc_name: the name ps shows (default shop)" };
        var timeout = new Option<string?>("--timeout", "-t") { Description = "Seconds without a heartbeat before a worker is replaced (default 30; 0 = never)" };
        var gracefulTimeout = new Option<string?>("--graceful-timeout") { Description = "Seconds a stopping worker may finish its work (default 30)" };
        var maxRequests = new Option<string?>("--max-requests") { Description = "Replace a worker after this many requests (default 0 = never)" };
        var maxRequestsJitter = new Option<string?>("--max-requests-jitter") { Description = "Add up to this many requests to max-requests, per worker" };
        var daemon = new Option<bool>("--daemon", "-D") { Description = "Detach: return once the service answers, and run in the background" };
        var reload = new Option<bool>("--reload") { Description = "Replace the workers when the executable's files or the config file change" };
        var command = new Command("serve", "Run the HTTP service (the default command)")
        {
            bind, workers, ShopCli.Config, pidfile, accessLog, logFile, logLevel, procName, timeout, gracefulTimeout, maxRequests, maxRequestsJitter,
            daemon, reload,
        };
        command.SetAction((result, cancellationToken) =>
        {
            var flags = new Dictionary<string, string?>
            {
                ["bind"] = result.GetValue(bind) is { Length: > 0 } binds ? string.Join(',', binds) : null,
                ["workers"] = result.GetValue(workers),
                ["pidfile"] = result.GetValue(pidfile),
                ["access_logfile"] = result.GetValue(accessLog),
                ["log_file"] = result.GetValue(logFile),
                ["log_level"] = result.GetValue(logLevel),
                ["proc_name"] = result.GetValue(procName),
                ["timeout"] = result.GetValue(timeout),
                ["graceful_timeout"] = result.GetValue(gracefulTimeout),
                ["max_requests"] = result.GetValue(maxRequests),
                ["max_requests_jitter"] = result.GetValue(maxRequestsJitter),
                ["daemon"] = result.GetValue(daemon) ? "true" : null,
                ["reload"] = result.GetValue(reload) ? "true" : null,
            };
            // HUP and --reload read the file and the environment again; the flags stay as given.
            ShopSettings Reload() => SettingsLoader.Load(ShopCli.ConfigFile, Environment.GetEnvironmentVariables(), flags);
            return ShopCli.RunWithSettingsAsync(result, flags, (settings, ct) => ServeAsync(settings, Reload, ct), cancellationToken);
        });
        return command;
    }

    private static async Task<int> ServeAsync(ShopSettings settings, Func<ShopSettings> reload, CancellationToken cancellationToken)
    {
        if (LogFiles.FindProblem(settings.ToLogOptions()) is { } logProblem)
        {
            await Console.Error.WriteLineAsync($"shop: error: {logProblem}");
            return 2;
        }
        if (WorkerEnvironment.Current is { } worker)
        {
            return await Worker.RunAsync(settings, worker, cancellationToken);
        }
        if (settings.Daemon && !Daemon.IsChild)
        {
            return await Daemon.StartAsync(ShopCli.Arguments, cancellationToken);
        }
        if (Daemon.IsChild)
        {
            Daemon.Detach();
        }
        if (ListenCheck.FindProblem(settings.Bind) is { } bindProblem)
        {
            await Console.Error.WriteLineAsync($"shop: error: bind: {bindProblem}");
            return 1;
        }
        return settings.UsesMaster
            ? await ServeWithWorkersAsync(settings, reload, cancellationToken)
            : await ServeAloneAsync(settings, cancellationToken);
    }

    /// <summary>One process that binds and serves, as with one worker and no reload.</summary>
    private static async Task<int> ServeAloneAsync(ShopSettings settings, CancellationToken cancellationToken)
    {
        ProcessTitle.Set(settings.ProcName);
        await using var app = Program.BuildApp(settings);
        var endpoints = EndpointsBuiltOnce.BuildInBackground(app);
        // The embedded default must work with no set-up, so serve applies pending migrations.
        await ShopCli.MigrateAsync(app, cancellationToken);
        await endpoints;
        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch (Exception ex) when (ListenCheck.IsBindFailure(ex))
        {
            // Another process took an address between the check above and Kestrel's bind.
            await Console.Error.WriteLineAsync($"shop: error: bind: {string.Join(", ", settings.Bind)}: {ex.Message.Split('\n')[0]}");
            return 1;
        }
        var log = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ServeCommand).FullName!);
        // HUP would end the process (its default action); reloading needs a master to hold the sockets.
        using var hup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, context =>
        {
            context.Cancel = true;
            log.LogWarning("HUP ignored: a single process cannot reload; run with --workers 2 or more, or --reload, for a master that can");
        });
        WritePidfile(settings);
        Ready(app.Urls.First());
        try
        {
            await app.WaitForShutdownAsync(cancellationToken);
        }
        finally
        {
            RemovePidfile(settings);
        }
        return 0;
    }

    /// <summary>A master and its workers: migrations run here once, before any worker starts.</summary>
    private static async Task<int> ServeWithWorkersAsync(ShopSettings settings, Func<ShopSettings> reload, CancellationToken cancellationToken)
    {
        await using (var app = Program.BuildApp(settings))
        {
            await ShopCli.MigrateAsync(app, cancellationToken);
        }
        var logFiles = new LogFiles();
        await using var log = LoggingSetup.Configure(new LoggerConfiguration(), settings.ToLogOptions(), logFiles).CreateLogger();
        try
        {
            return await Master.RunAsync(settings, reload, ShopCli.Arguments, log.ForContext<Master>(), logFiles, url =>
            {
                WritePidfile(settings);
                Ready(url);
            }, cancellationToken);
        }
        finally
        {
            SystemdNotify.Send("STOPPING=1");
            RemovePidfile(settings);
        }
    }

    /// <summary>The service answers: systemd and a waiting <c>serve --daemon</c> are told.</summary>
    private static void Ready(string url)
    {
        SystemdNotify.Send($"READY=1\nMAINPID={Environment.ProcessId}");
        Daemon.ReportReady(url);
    }

    private static void WritePidfile(ShopSettings settings)
    {
        if (settings.Pidfile is { } pidfile)
        {
            // Written aside and renamed, so a reader never sees an empty or half-written pidfile.
            File.WriteAllText(pidfile + ".tmp", $"{Environment.ProcessId}\n");
            File.Move(pidfile + ".tmp", pidfile, overwrite: true);
        }
    }

    private static void RemovePidfile(ShopSettings settings)
    {
        if (settings.Pidfile is { } pidfile)
        {
            File.Delete(pidfile);
        }
    }
}
