using System.CommandLine;

namespace Shop.Hosting;

/// <summary><c>shop migrate</c>: creates or upgrades the database schema.</summary>
public static class MigrateCommand
{
    public static Command Create()
    {
        var command = new Command("migrate", "Create or upgrade the database schema") { ShopCli.Config };
        command.SetAction((result, cancellationToken) => ShopCli.RunWithSettingsAsync(result, [], async (settings, ct) =>
        {
            await using var app = Program.BuildApp(settings);
            await ShopCli.MigrateAsync(app, ct);
            Console.WriteLine($"Database {Infrastructure.Data.PostgresUri.Redact(settings.Database)} is up to date.");
            return 0;
        }, cancellationToken));
        return command;
    }
}
