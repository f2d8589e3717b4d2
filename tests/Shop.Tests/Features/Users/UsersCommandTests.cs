
namespace Shop.Tests.Features.Users;

/// <summary><c>shop users create</c>, run as a real process of the built <c>shop.dll</c>.</summary>
public abstract class UsersCommandTests
{
    public sealed class OnSqlite : UsersCommandTests;

    public sealed class OnPostgres : UsersCommandTests, IOnPostgres;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static Task<ShopCommand.Result> RunShopAsync(TestDatabase database, string standardInput, params string[] args) =>
        ShopCommand.RunAsync(args, new Dictionary<string, string> { ["SHOP_DATABASE"] = database.Setting }, standardInput);

    [Fact]
    public async Task CreatesAnAdminWithThePasswordFromStandardInput()
    {
        await using var database = await TestDatabase.CreateAsync();
        var created = await RunShopAsync(database, "root-password-from-stdin\n", "users", "create", "root", "--role", "admin");
        Assert.True(created.ExitCode == 0, created.Stderr);
        Assert.Contains("(root) created with role admin", created.Stdout);
        Assert.DoesNotContain("root-password-from-stdin", created.Stdout + created.Stderr);

        await using var shop = await ShopApp.StartAsync(s => s with { Database = database.Setting });
        using var root = shop.BearerClient(await shop.LogInAsync("root", "root-password-from-stdin"));
        var me = await (await root.GetAsync("/api/v1/users/me", Ct)).ReadJsonAsync();
        Assert.Equal("admin", (string?)me["role"]);
    }

    [Fact]
    public async Task AnExistingUserIsAClearError()
    {
        await using var database = await TestDatabase.CreateAsync();
        Assert.Equal(0, (await RunShopAsync(database, "first-password\n", "users", "create", "zoe", "--role", "customer")).ExitCode);
        var again = await RunShopAsync(database, "second-password\n", "users", "create", "zoe", "--role", "admin");
        Assert.Equal(1, again.ExitCode);
        Assert.Contains("shop: error: The username 'zoe' is already taken", again.Stderr);
    }

    [Fact]
    public async Task ATooShortOrMissingPasswordIsRefused()
    {
        await using var database = await TestDatabase.CreateAsync();
        var shortOne = await RunShopAsync(database, "short\n", "users", "create", "yan", "--role", "customer");
        Assert.Equal(2, shortOne.ExitCode);
        Assert.Contains("password must be 8 to 128 characters", shortOne.Stderr);
        var none = await RunShopAsync(database, "", "users", "create", "yan", "--role", "customer");
        Assert.Equal(2, none.ExitCode);
        Assert.Contains("password is required", none.Stderr);
    }
}
