using System.CommandLine;
using System.Text;
using Shop.Features.Users;
using Shop.Rest;

namespace Shop.Hosting;

/// <summary>
/// <c>shop users create NAME --role admin|customer</c>: the only way to make an admin. The password
/// comes from standard input — never from the arguments, which other users of the machine can see.
/// </summary>
public static class UsersCommand
{
    public static Command Create()
    {
        var name = new Argument<string>("NAME") { Description = "The username (3 to 32 of a-z 0-9 _ . -)" };
        var role = new Option<string>("--role") { Description = "admin or customer", Required = true };
        role.AcceptOnlyFromAmong(UsersRules.Roles);
        var email = new Option<string?>("--email") { Description = "An e-mail address (optional)" };
        var create = new Command("create", "Create a user; the password is read from standard input (the first line)")
        {
            name, role, email, ShopCli.Config,
        };
        create.SetAction((result, cancellationToken) => ShopCli.RunWithSettingsAsync(result, [], async (settings, ct) =>
        {
            var password = await ReadPasswordAsync(ct);
            await using var app = Program.BuildApp(settings);
            await ShopCli.MigrateAsync(app, ct);
            await using var scope = app.Services.CreateAsyncScope();
            try
            {
                var user = await scope.ServiceProvider.GetRequiredService<UserAccounts>()
                    .CreateAsync(result.GetValue(name), password, result.GetValue(email), result.GetValue(role)!, ct);
                Console.WriteLine($"User {user.Id} ({user.Username}) created with role {user.Role}.");
                return 0;
            }
            catch (ApiProblem problem)
            {
                var details = problem.Errors?.Select(e => $"{e.Key} {string.Join("; ", e.Value)}") ?? [problem.Error];
                await Console.Error.WriteLineAsync($"shop: error: {string.Join(", ", details)}");
                return problem.Status == StatusCodes.Status409Conflict ? 1 : 2;
            }
        }, cancellationToken));
        return new Command("users", "Manage users") { create };
    }

    /// <summary>The first line of standard input; at a terminal, typed after a prompt without echo.</summary>
    private static async Task<string?> ReadPasswordAsync(CancellationToken cancellationToken)
    {
        if (Console.IsInputRedirected)
        {
            return await Console.In.ReadLineAsync(cancellationToken);
        }
        await Console.Error.WriteAsync("Password: ");
        var typed = new StringBuilder();
        for (var key = Console.ReadKey(intercept: true); key.Key != ConsoleKey.Enter; key = Console.ReadKey(intercept: true))
        {
            if (key.Key == ConsoleKey.Backspace)
            {
                typed.Length = Math.Max(0, typed.Length - 1);
            }
            else if (!char.IsControl(key.KeyChar))
            {
                typed.Append(key.KeyChar);
            }
        }
        await Console.Error.WriteLineAsync();
        return typed.ToString();
    }
}
