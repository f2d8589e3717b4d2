using System.Collections;
using System.Net;
using System.Net.Sockets;
using Shop.Hosting;

namespace Shop.Tests.Hosting;

/// <summary>
/// Bad values and a machine that refuses an address stop the real <c>shop</c> executable with one
/// line on standard error that names the setting or option, a non-zero exit code and no stack trace.
/// </summary>
public sealed class StartUpErrorTests : IDisposable
{
    private const string BindHostRule = "HOST must be an IPv4 address, a bracketed IPv6 address, localhost, "
        + "or 0.0.0.0 / [::] for every interface (Kestrel would listen on every interface for anything else)";

    private readonly TempFolder _temp = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private Dictionary<string, string> Environment(params (string Key, string Value)[] extra)
    {
        var environment = new Dictionary<string, string> { ["SHOP_DATABASE"] = _temp.File("shop.db") };
        foreach (var (key, value) in extra)
        {
            environment[key] = value;
        }
        return environment;
    }

    private static void AssertOneLineError(ShopCommand.Result result, int exitCode, string message)
    {
        Assert.Equal(exitCode, result.ExitCode);
        Assert.DoesNotContain("   at ", result.Stdout + result.Stderr, StringComparison.Ordinal);
        Assert.Equal(message, result.Stderr.TrimEnd('\n'));
    }

    [Theory]
    [InlineData("999.1.1.1:5399")]
    [InlineData("no.such.host.invalid:5399")]
    [InlineData("example.com:5399")]
    [InlineData("10.1:5399")]
    [InlineData("010.0.0.1:5399")]
    [InlineData("*:5399")]
    [InlineData("[127.0.0.1]:5399")]
    public async Task ABindHostThatIsNotAnAddressIsRefusedFromTheFlagAndTheEnvironment(string bind)
    {
        var fromFlag = await ShopCommand.RunAsync(["serve", "--bind", "127.0.0.1:5399", "--bind", bind], Environment());
        var fromEnvironment = await ShopCommand.RunAsync(["serve"], Environment(("SHOP_BIND", bind)));

        AssertOneLineError(fromFlag, 2, $"shop: error: bind: '{bind}': {BindHostRule}");
        AssertOneLineError(fromEnvironment, 2, $"shop: error: bind: '{bind}': {BindHostRule}");
    }

    [Fact]
    public async Task ABindHostNameInTheConfigFileIsRefused()
    {
        await File.WriteAllTextAsync(_temp.File("shop.conf"), "bind = 127.0.0.1:5399, localhost.localdomain:5399\n", Ct);

        var result = await ShopCommand.RunAsync(["serve", "--config", _temp.File("shop.conf")], Environment());

        AssertOneLineError(result, 2, $"shop: error: bind: 'localhost.localdomain:5399': {BindHostRule}");
    }

    [Theory]
    [InlineData("127.0.0.1:5000")]
    [InlineData("localhost:5000")]
    [InlineData("LocalHost:5000")]
    [InlineData("[::1]:5000")]
    [InlineData("0.0.0.0:5000")]
    [InlineData("[::]:5000")]
    [InlineData("127.0.0.1:0")]
    public void AddressesLocalhostAndTheAllInterfacesFormsAreAccepted(string bind) =>
        Assert.Equal([bind], SettingsLoader.Load(null, new Hashtable { ["SHOP_BIND"] = bind }, new Dictionary<string, string?>()).Bind);

    [Theory]
    [InlineData("::1:5000", "shop: error: bind: '::1:5000' is not HOST:PORT (an IPv6 address goes in brackets: [::1]:5000)")]
    [InlineData("localhost:0", "shop: error: bind: 'localhost:0': localhost needs a fixed PORT (use 127.0.0.1:0 for any free port)")]
    public async Task AnUnbracketedIPv6AddressAndLocalhostWithoutAPortAreRefused(string bind, string message) =>
        AssertOneLineError(await ShopCommand.RunAsync(["serve", "--bind", bind], Environment()), 2, message);

    [Fact]
    public async Task APortInUseIsOneLineNamingTheAddress()
    {
        using var occupant = new TcpListener(IPAddress.Loopback, 0);
        occupant.Start();
        var port = ((IPEndPoint)occupant.LocalEndpoint).Port;

        var result = await ShopCommand.RunAsync(["serve", "--bind", $"127.0.0.1:{port}"], Environment());

        AssertOneLineError(result, 1, $"shop: error: bind: 127.0.0.1:{port} is already in use");
        Assert.False(File.Exists(_temp.File("shop.db")), "a serve that cannot listen must not touch the database");
    }

    [Fact]
    public async Task AnAddressTheMachineDoesNotHaveIsOneLineNamingIt()
    {
        // 192.0.2.0/24 is TEST-NET-1 (RFC 5737), reserved for documentation: no machine has it.
        var result = await ShopCommand.RunAsync(["serve", "--bind", "192.0.2.1:5399"], Environment());

        AssertOneLineError(result, 1, "shop: error: bind: 192.0.2.1:5399 is not an address of this machine");
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("1.5")]
    [InlineData("99999999999")]
    [InlineData("0")]
    [InlineData("-3")]
    public async Task ABadGoodsCountIsAUsageErrorNotACrash(string goods)
    {
        var missing = await ShopCommand.RunAsync(["seed"], Environment());
        var result = await ShopCommand.RunAsync(["seed", "--goods", goods], Environment());

        // The same exit code as the parser's other usage errors (here: a missing required option).
        Assert.Equal(2, missing.ExitCode);
        Assert.StartsWith("shop: error: ", missing.Stderr, StringComparison.Ordinal);
        AssertOneLineError(result, missing.ExitCode, $"shop: error: --goods must be a whole number from 1 to 10000000 (got '{goods}')");
    }

    [Fact]
    public async Task EveryUsageErrorIsOneLine()
    {
        var badRole = await ShopCommand.RunAsync(["users", "create", "bob", "--role", "king"], Environment(), "some password\n");
        AssertOneLineError(badRole, 2, "shop: error: Argument 'king' not recognized. Must be one of: 'admin' 'customer'");
        var nothing = await ShopCommand.RunAsync(["users", "create"], Environment());
        Assert.Equal(2, nothing.ExitCode);
        Assert.Single(nothing.Stderr.TrimEnd('\n').Split('\n'));
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("1.5")]
    [InlineData("99999999999")]
    public async Task ABadWorkersCountIsASettingError(string workers) =>
        AssertOneLineError(await ShopCommand.RunAsync(["serve", "--workers", workers], Environment()), 2,
            $"shop: error: workers: must be an integer from 1 to 64 (got '{workers}')");

    [Fact]
    public async Task AMalformedRedisAddressIsASettingErrorThatNeverShowsThePassword()
    {
        var result = await ShopCommand.RunAsync(["serve"], Environment(("SHOP_REDIS", "redis://:hunter2@cache:notaport/0")));

        AssertOneLineError(result, 2,
            "shop: error: redis: must be host:port or redis://[:password@]host:port[/db] (got a URI that is not of that form)");
        Assert.DoesNotContain("hunter2", result.Stdout + result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void AnEmptyRedisSettingIsTheInProcessDefault() =>
        Assert.Null(SettingsLoader.Load(null, new Hashtable { ["SHOP_REDIS"] = "" }, new Dictionary<string, string?>()).Redis);

    public void Dispose() => _temp.Dispose();
}
