using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing;
using Shop.Features.Goods;
using Shop.Features.Users;
using Shop.Infrastructure.Data;
using Shop.Rest;

namespace Shop.Hosting;

/// <summary>
/// The <c>shop</c> command line (System.CommandLine): serve (the default), routes, migrate, seed, users.
/// Every command reads the same settings; a bad one stops it with one line naming the setting.
/// </summary>
public static class ShopCli
{
    private const int MaxSeedGoods = 10_000_000;

    internal static readonly Option<string?> Config = new("--config") { Description = "Settings file (JSON, or INI-style 'name = value' lines)" };

    public static async Task<int> RunAsync(string[] args)
    {
        var root = new RootCommand("Shop: a goods-shop HTTP service. Without a command, 'serve' runs.");
        root.Subcommands.Add(ServeCommand());
        root.Subcommands.Add(RoutesCommand());
        root.Subcommands.Add(MigrateCommand());
        root.Subcommands.Add(SeedCommand());
        root.Subcommands.Add(UsersCommand.Create());
        // "shop" and "shop --bind ..." mean "shop serve ...", as the contract makes serve the default.
        var commands = root.Subcommands.Select(c => c.Name).ToHashSet();
        var isHelp = args is ["-h" or "--help" or "-?" or "--version", ..];
        if (!isHelp && (args.Length == 0 || !commands.Contains(args[0])))
        {
            args = ["serve", .. args];
        }
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            // Usage errors look like every other error of the command line and exit with 2, as a
            // bad setting does (the convention of getopt and argparse); 1 is left for failures.
            // One line, whatever the parser's messages look like (some list choices on lines of their own).
            var messages = parsed.Errors.Select(e => string.Join(' ', e.Message.Split((char[])['\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)));
            await Console.Error.WriteLineAsync($"shop: error: {string.Join(" ", messages)}");
            return 2;
        }
        // SIGTERM and Ctrl+C belong to the web host, which drains and finishes requests in flight;
        // System.CommandLine's own handler would end the process 2 s after the signal.
        return await parsed.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });
    }

    private static Command ServeCommand()
    {
        var bind = new Option<string[]>("--bind", "-b") { Description = "HOST:PORT to listen on (repeatable; default 127.0.0.1:5000)" };
        var workers = new Option<string?>("--workers", "-w") { Description = "Worker processes (only 1 for now)" };
        var pidfile = new Option<string?>("--pidfile") { Description = "Write the process id to this file" };
        var accessLog = new Option<string?>("--access-logfile") { Description = "Access log file ('-' = standard output)" };
        var logFile = new Option<string?>("--log-file") { Description = "Service log file ('-' = standard output; default standard error)" };
        var logLevel = new Option<string?>("--log-level") { Description = "debug, info, warning or error" };
        var daemon = new Option<bool>("--daemon", "-D") { Description = "Detach from the terminal (not supported yet)" };
        var reload = new Option<bool>("--reload") { Description = "Restart on code changes (not supported yet)" };
        var command = new Command("serve", "Run the HTTP service (the default command)")
        {
            bind, workers, Config, pidfile, accessLog, logFile, logLevel, daemon, reload,
        };
        command.SetAction((result, cancellationToken) => RunWithSettingsAsync(result, new()
        {
            ["bind"] = result.GetValue(bind) is { Length: > 0 } binds ? string.Join(',', binds) : null,
            ["workers"] = result.GetValue(workers),
            ["pidfile"] = result.GetValue(pidfile),
            ["access_logfile"] = result.GetValue(accessLog),
            ["log_file"] = result.GetValue(logFile),
            ["log_level"] = result.GetValue(logLevel),
            ["daemon"] = result.GetValue(daemon) ? "true" : null,
            ["reload"] = result.GetValue(reload) ? "true" : null,
        }, ServeAsync, cancellationToken));
        return command;
    }

    private static Command RoutesCommand()
    {
        var command = new Command("routes", "Print the URL map: method, path, who may call it") { Config };
        command.SetAction((result, cancellationToken) => RunWithSettingsAsync(result, [], (settings, _) =>
        {
            var app = Program.BuildApp(settings);
            foreach (var line in RouteTable(app))
            {
                Console.WriteLine(line);
            }
            return Task.FromResult(0);
        }, cancellationToken));
        return command;
    }

    private static Command MigrateCommand()
    {
        var command = new Command("migrate", "Create or upgrade the database schema") { Config };
        command.SetAction((result, cancellationToken) => RunWithSettingsAsync(result, [], async (settings, ct) =>
        {
            await using var app = Program.BuildApp(settings);
            await MigrateAsync(app, ct);
            Console.WriteLine($"Database {Infrastructure.Data.PostgresUri.Redact(settings.Database)} is up to date.");
            return 0;
        }, cancellationToken));
        return command;
    }

    private static Command SeedCommand()
    {
        var goods = new Option<int>("--goods")
        {
            Description = "How many demo goods to add (1 to 10000000)",
            Required = true,
            // Parsed here rather than by the built-in int converter with a validator: a validator
            // that reads a value the converter could not make ("abc", "1.5", too big) throws, and
            // the command died with a stack trace instead of the usual one-line usage error.
            CustomParser = r =>
            {
                var token = r.Tokens.Count > 0 ? r.Tokens[^1].Value : "";
                if (int.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is >= 1 and <= MaxSeedGoods)
                {
                    return n;
                }
                r.AddError($"--goods must be a whole number from 1 to {MaxSeedGoods} (got '{token}')");
                return 0;
            },
        };
        var command = new Command("seed", "Fill the catalogue with demo goods") { goods, Config };
        command.SetAction((result, cancellationToken) => RunWithSettingsAsync(result, [], async (settings, ct) =>
        {
            await using var app = Program.BuildApp(settings);
            await MigrateAsync(app, ct);
            var watch = Stopwatch.StartNew();
            await using var scope = app.Services.CreateAsyncScope();
            var added = await GoodsSeed.SeedAsync(scope.ServiceProvider.GetRequiredService<ShopDb>(), scope.ServiceProvider.GetRequiredService<GoodsChangeLog>(), result.GetValue(goods), TimeProvider.System, ct);
            Console.WriteLine($"Added {added} goods in {watch.Elapsed.TotalSeconds:0.00} s.");
            return 0;
        }, cancellationToken));
        return command;
    }

    /// <summary>Loads settings (file, environment, flags) and runs the command, or prints the one-line error.</summary>
    internal static async Task<int> RunWithSettingsAsync(
        ParseResult result, Dictionary<string, string?> flags, Func<ShopSettings, CancellationToken, Task<int>> run, CancellationToken cancellationToken)
    {
        ShopSettings settings;
        try
        {
            settings = SettingsLoader.Load(result.GetValue(Config), Environment.GetEnvironmentVariables(), flags);
        }
        catch (SettingsException ex)
        {
            await Console.Error.WriteLineAsync($"shop: error: {ex.Message}");
            return 2;
        }
        return await run(settings, cancellationToken);
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
        if (Infrastructure.Logging.LogFiles.FindProblem(settings) is { } logProblem)
        {
            await Console.Error.WriteLineAsync($"shop: error: {logProblem}");
            return 2;
        }
        if (ListenCheck.FindProblem(settings.Bind) is { } bindProblem)
        {
            await Console.Error.WriteLineAsync($"shop: error: bind: {bindProblem}");
            return 1;
        }
        await using var app = Program.BuildApp(settings);
        // The embedded default must work with no set-up, so serve applies pending migrations.
        await MigrateAsync(app, cancellationToken);
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

    public static async Task MigrateAsync(WebApplication app, CancellationToken cancellationToken)
    {
        await using var scope = app.Services.CreateAsyncScope();
        await DataServices.MigrateAsync(scope.ServiceProvider.GetRequiredService<ShopDb>(), cancellationToken);
    }

    /// <summary>The URL map like Flask's <c>app.url_map</c>: one line per method and path, with who may call it.</summary>
    public static IEnumerable<string> RouteTable(WebApplication app)
    {
        var rows = ((IEndpointRouteBuilder)app).DataSources
            .SelectMany(source => source.Endpoints)
            .OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["*"])
                .Select(method => (Method: method, Path: "/" + (e.RoutePattern.RawText ?? "").Trim('/'), Who: WhoMayCall(e))))
            .Distinct()
            .OrderBy(r => r.Path, StringComparer.Ordinal).ThenBy(r => r.Method, StringComparer.Ordinal)
            .ToList();
        var pathWidth = rows.Max(r => r.Path.Length);
        yield return $"{"METHOD",-7} {"PATH".PadRight(pathWidth)} WHO";
        foreach (var (method, path, who) in rows)
        {
            yield return $"{method,-7} {path.PadRight(pathWidth)} {who}";
        }
    }

    private static string WhoMayCall(Endpoint endpoint)
    {
        if (endpoint.Metadata.GetMetadata<CallerRule>() is { } rule)
        {
            return rule.Who;
        }
        if (endpoint.Metadata.GetMetadata<IAllowAnonymous>() is not null)
        {
            return "anyone";
        }
        var policies = endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>().Select(a => a.Policy ?? "signed-in").Distinct().ToList();
        return policies.Count == 0 ? "anyone" : string.Join(", ", policies);
    }
}
