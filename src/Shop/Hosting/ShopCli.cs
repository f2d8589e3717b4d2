using System.CommandLine;
using Shop.Features.Users;
using Shop.Infrastructure.Data;

namespace Shop.Hosting;

/// <summary>
/// The <c>shop</c> command line (System.CommandLine): serve (the default), routes, migrate, seed, users.
/// Every command reads the same settings; a bad one stops it with one line naming the setting.
/// </summary>
public static class ShopCli
{
    internal static readonly Option<string?> Config = new("--config", "-c") { Description = "Settings file: gunicorn's form (name = value, Python literals), or JSON" };

    /// <summary>The arguments of this run (with the implied <c>serve</c>), for the processes a master or a daemon starts.</summary>
    public static IReadOnlyList<string> Arguments { get; private set; } = [];

    /// <summary>The <c>--config</c> file of this run, if any.</summary>
    public static string? ConfigFile { get; private set; }

    public static async Task<int> RunAsync(string[] args)
    {
        var root = new RootCommand("Shop: a goods-shop HTTP service. Without a command, 'serve' runs.");
        root.Subcommands.Add(ServeCommand.Create());
        root.Subcommands.Add(RoutesCommand.Create());
        root.Subcommands.Add(MigrateCommand.Create());
        root.Subcommands.Add(SeedCommand.Create());
        root.Subcommands.Add(UsersCommand.Create());
        // "shop" and "shop --bind ..." mean "shop serve ...", as the contract makes serve the default.
        var commands = root.Subcommands.Select(c => c.Name).ToHashSet();
        var isHelp = args is ["-h" or "--help" or "-?" or "--version", ..];
        if (!isHelp && (args.Length == 0 || !commands.Contains(args[0])))
        {
            args = ["serve", .. args];
        }
        Arguments = args;
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
        // SIGTERM and Ctrl+C belong to the web host (which drains and finishes requests in flight) or
        // to a master; System.CommandLine's own handler would end the process 2 s after the signal.
        return await parsed.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });
    }

    /// <summary>Loads settings (file, environment, flags) and runs the command, or prints the one-line error.</summary>
    internal static async Task<int> RunWithSettingsAsync(
        ParseResult result, Dictionary<string, string?> flags, Func<ShopSettings, CancellationToken, Task<int>> run, CancellationToken cancellationToken)
    {
        ShopSettings settings;
        ConfigFile = result.GetValue(Config);
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

    public static async Task MigrateAsync(WebApplication app, CancellationToken cancellationToken)
    {
        await using var scope = app.Services.CreateAsyncScope();
        await DataServices.MigrateAsync(scope.ServiceProvider.GetRequiredService<ShopDb>(), cancellationToken);
    }
}
