using System.CommandLine;

namespace Shop.Hosting;

/// <summary><c>shop serve</c> (the default command): the HTTP service, with gunicorn's flags.</summary>
public static class ServeCommand
{
    public static Command Create()
    {
        var bind = new Option<string[]>("--bind", "-b") { Description = "HOST:PORT to listen on (repeatable; default 127.0.0.1:5000)" };
        var workers = new Option<string?>("--workers", "-w") { Description = "Worker processes (only 1 for now)" };
        var pidfile = new Option<string?>("--pidfile") { Description = "Write the process id to this file" };
        var accessLog = new Option<string?>("--access-logfile") { Description = "Access log file ('-' = standard output)" };
        var logFile = new Option<string?>("--log-file", "--error-logfile") { Description = "Service log file ('-' = standard output; default standard error)" };
        var logLevel = new Option<string?>("--log-level") { Description = "debug, info, warning or error" };
        var procName = new Option<string?>("--name", "-n") { Description = "proc_name: the name ps shows (default shop)" };
        var timeout = new Option<string?>("--timeout", "-t") { Description = "Seconds without a heartbeat before a worker is replaced (default 30; 0 = never)" };
        var gracefulTimeout = new Option<string?>("--graceful-timeout") { Description = "Seconds a stopping worker may finish its work (default 30)" };
        var maxRequests = new Option<string?>("--max-requests") { Description = "Replace a worker after this many requests (default 0 = never)" };
        var maxRequestsJitter = new Option<string?>("--max-requests-jitter") { Description = "Add up to this many requests to max-requests, per worker" };
        var daemon = new Option<bool>("--daemon", "-D") { Description = "Detach from the terminal (not supported yet)" };
        var reload = new Option<bool>("--reload") { Description = "Restart on code changes (not supported yet)" };
        var command = new Command("serve", "Run the HTTP service (the default command)")
        {
            bind, workers, ShopCli.Config, pidfile, accessLog, logFile, logLevel, procName, timeout, gracefulTimeout, maxRequests, maxRequestsJitter,
            daemon, reload,
        };
        command.SetAction((result, cancellationToken) => ShopCli.RunWithSettingsAsync(result, new()
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
        }, ServeAsync, cancellationToken));
        return command;
    }

    private static async Task<int> ServeAsync(ShopSettings settings, CancellationToken cancellationToken)
    {
        var unsupported = settings.Workers > 1 ? "workers: more than one worker process is not supported yet; use 1"
            : settings.Daemon ? "daemon: running as a daemon is not supported yet; use your service manager (deploy/systemd)"
            : settings.Reload ? "reload: reloading on code changes is not supported yet; use 'dotnet watch'"
            : null;
        if (unsupported is not null)
        {
            await Console.Error.WriteLineAsync($"shop: error: {unsupported}");
            return 2;
        }
        if (ListenCheck.FindProblem(settings.Bind) is { } bindProblem)
        {
            await Console.Error.WriteLineAsync($"shop: error: bind: {bindProblem}");
            return 1;
        }
        await using var app = Program.BuildApp(settings);
        // The embedded default must work with no set-up, so serve applies pending migrations.
        await ShopCli.MigrateAsync(app, cancellationToken);
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
        if (settings.Pidfile is { } pidfile)
        {
            // Written aside and renamed, so a reader never sees an empty or half-written pidfile.
            await File.WriteAllTextAsync(pidfile + ".tmp", $"{Environment.ProcessId}\n", cancellationToken);
            File.Move(pidfile + ".tmp", pidfile, overwrite: true);
        }
        try
        {
            await app.WaitForShutdownAsync(cancellationToken);
        }
        finally
        {
            if (settings.Pidfile is { } path)
            {
                File.Delete(path);
            }
        }
        return 0;
    }
}
