using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Shop.Features.Goods;
using Shop.Infrastructure.Data;

namespace Shop.Hosting;

/// <summary><c>shop seed --goods N</c>: fills the catalogue with demo goods.</summary>
public static class SeedCommand
{
    private const int MaxSeedGoods = 10_000_000;

    public static Command Create()
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
        var command = new Command("seed", "Fill the catalogue with demo goods") { goods, ShopCli.Config };
        command.SetAction((result, cancellationToken) => ShopCli.RunWithSettingsAsync(result, [], async (settings, ct) =>
        {
            await using var app = Program.BuildApp(settings);
            await ShopCli.MigrateAsync(app, ct);
            var watch = Stopwatch.StartNew();
            await using var scope = app.Services.CreateAsyncScope();
            var added = await GoodsSeed.SeedAsync(scope.ServiceProvider.GetRequiredService<ShopDb>(), scope.ServiceProvider.GetRequiredService<GoodsChangeLog>(), result.GetValue(goods), TimeProvider.System, ct);
            Console.WriteLine($"Added {added} goods in {watch.Elapsed.TotalSeconds:0.00} s.");
            return 0;
        }, cancellationToken));
        return command;
    }
}
