
namespace Shop.Tests.Features.Users;

/// <summary><c>shop users create</c>, run as a real process of the built <c>shop.dll</c>.</summary>
public sealed class UsersCommandTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static Task<ShopCommand.Result> RunShopAsync(string folder, string standardInput, params string[] args) =>
        ShopCommand.RunAsync(args, new Dictionary<string, string> { ["SHOP_DATABASE"] = Path.Combine(folder, "shop.db") }, standardInput, folder);

    [Fact]
    public async Task CreatesAnAdminWithThePasswordFromStandardInput()
    {
        using var folder = new TempFolder();
        var created = await RunShopAsync(folder.Path, "root-password-from-stdin\n", "users", "create", "root", "--role", "admin");
        Assert.True(created.ExitCode == 0, created.Stderr);
        Assert.Contains("(root) created with role admin", created.Stdout);
        Assert.DoesNotContain("root-password-from-stdin", created.Stdout + created.Stderr);

        await using var shop = await ShopApp.StartAsync(s => s with { Database = folder.File("shop.db") });
        using var root = shop.BearerClient(await shop.LogInAsync("root", "root-password-from-stdin"));
        var me = await (await root.GetAsync("/api/v1/users/me", Ct)).ReadJsonAsync();
        Assert.Equal("admin", (string?)me["role"]);
    }

    [Fact]
    public async Task AnExistingUserIsAClearError()
    {
        using var folder = new TempFolder();
        Assert.Equal(0, (await RunShopAsync(folder.Path, "first-password\n", "users", "create", "zoe", "--role", "customer")).ExitCode);
        var again = await RunShopAsync(folder.Path, "second-password\n", "users", "create", "zoe", "--role", "admin");
        Assert.Equal(1, again.ExitCode);
        Assert.Contains("shop: error: The username 'zoe' is already taken", again.Stderr);
    }

    [Fact]
    public async Task ATooShortOrMissingPasswordIsRefused()
    {
        using var folder = new TempFolder();
        var shortOne = await RunShopAsync(folder.Path, "short\n", "users", "create", "yan", "--role", "customer");
        Assert.Equal(2, shortOne.ExitCode);
        Assert.Contains("password must be 8 to 128 characters", shortOne.Stderr);
        var none = await RunShopAsync(folder.Path, "", "users", "create", "yan", "--role", "customer");
        Assert.Equal(2, none.ExitCode);
        Assert.Contains("password is required", none.Stderr);
    }
}
