using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Shop.Features.ApiKeys;
using Shop.Features.Sessions;
using Shop.Features.Users;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Shop.Hosting;
using Shop.Infrastructure.Auth;
using Shop.Infrastructure.Data;
using Shop.Rest;

namespace Shop.Tests;

/// <summary>
/// The test host: a real Shop instance on a free loopback port with its own SQLite file (or, in an
/// <see cref="IOnPostgres"/> test class, its own PostgreSQL database and Redis), log file and access log in a
/// temporary folder, spoken to over real HTTP. Each test starts its own.
/// </summary>
public sealed class ShopApp : IAsyncDisposable
{
    /// <summary>The username of the admin every instance starts with (see <see cref="AdminClient"/>).</summary>
    public const string AdminUsername = "admin";

    /// <summary>
    /// A real API key of the admin <see cref="AdminUsername"/>, the same in every instance (stored,
    /// like any key, as its keyed hash), for tests that send <c>X-API-Key</c> themselves.
    /// </summary>
    public const string AdminKey = "test-admin-key-0123456789";

    /// <summary>The password every user made by this host has (<see cref="AdminUsername"/> and <see cref="SignInAsync"/>).</summary>
    public const string Password = "correct horse battery staple";

    /// <summary>The PostgreSQL database made for this instance alone, dropped with it.</summary>
    private TestDatabase? _ownDatabase;

    private ShopApp(string folder, ShopSettings settings, WebApplication app, string adminToken)
    {
        Folder = folder;
        Settings = settings;
        App = app;
        AdminToken = adminToken;
        BaseAddress = new Uri(app.Urls.First());
        Client = CreateClient();
    }

    public string Folder { get; }
    public ShopSettings Settings { get; }
    public WebApplication App { get; }
    public Uri BaseAddress { get; }

    /// <summary>An anonymous client.</summary>
    public HttpClient Client { get; }

    /// <summary>A bearer token of the admin <see cref="AdminUsername"/>, made when the instance started.</summary>
    public string AdminToken { get; }

    public string LogFile => Settings.LogFile!;
    public string AccessLogFile => Settings.AccessLogfile!;

    public static async Task<ShopApp> StartAsync(
        Func<ShopSettings, ShopSettings>? settings = null, Action<WebApplicationBuilder>? configure = null)
    {
        var folder = Directory.CreateTempSubdirectory("shop-test-").FullName;
        var defaults = new ShopSettings
        {
            Bind = ["127.0.0.1:0"],
            Database = Path.Combine(folder, "shop.db"),
            LogFile = Path.Combine(folder, "shop.log"),
            AccessLogfile = Path.Combine(folder, "access.log"),
            SecretKey = "test-secret-key",
        };
        // On PostgreSQL (a test class marked IOnPostgres) the instance's database is a fresh one on
        // the shared server with a Redis database of its own, unless the test gives its own database
        // (a TestDatabase shared by instances): then the instances share that one's Redis.
        var own = TestDatabase.CurrentTestOnPostgres ? await TestDatabase.CreateAsync() : null;
        defaults = own is null ? defaults : defaults with { Database = own.Setting, Redis = own.Redis };
        var effective = settings?.Invoke(defaults) ?? defaults;
        if (own is not null && effective.Database != own.Setting)
        {
            effective = effective.Redis == own.Redis ? effective with { Redis = TestDatabase.RedisOf(effective.Database) } : effective;
            await own.DisposeAsync();
            own = null;
        }
        var app = Program.BuildApp(effective, configure);
        await ShopCli.MigrateAsync(app, TestContext.Current.CancellationToken);
        await app.StartAsync(TestContext.Current.CancellationToken);
        var admin = await FindUserAsync(app.Services, AdminUsername) ?? await CreateAdminAsync(app.Services);
        return new ShopApp(folder, effective, app, await IssueTokenAsync(app.Services, admin)) { _ownDatabase = own };
    }

    /// <summary>
    /// The admin with <see cref="AdminKey"/>; a database reused after a restart already has both.
    /// Written straight to the database, so that the log holds only what a test itself causes.
    /// </summary>
    private static async Task<User> CreateAdminAsync(IServiceProvider services)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ShopDb>();
        var admin = new User { Username = AdminUsername, NormalizedUsername = AdminUsername, Role = Policies.AdminRole, PasswordHash = "", CreatedAt = DateTime.UtcNow };
        admin.PasswordHash = scope.ServiceProvider.GetRequiredService<IPasswordHasher<User>>().HashPassword(admin, Password);
        db.Add(admin);
        db.Add(new ApiKey
        {
            User = admin,
            Name = nameof(AdminKey),
            Prefix = AdminKey[..12],
            KeyHash = scope.ServiceProvider.GetRequiredService<Secrets>().Hash(AdminKey),
            CreatedAt = DateTime.UtcNow,
        });
        await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        return admin;
    }

    /// <summary>The user with this username, or null; read straight from the app's database.</summary>
    public Task<User?> FindUserAsync(string username) => FindUserAsync(App.Services, username);

    private static async Task<User?> FindUserAsync(IServiceProvider services, string username)
    {
        await using var scope = services.CreateAsyncScope();
        var normalized = User.Normalize(username);
        return await scope.ServiceProvider.GetRequiredService<ShopDb>().Set<User>()
            .FirstOrDefaultAsync(u => u.NormalizedUsername == normalized, TestContext.Current.CancellationToken);
    }

    /// <summary>Creates a user with <see cref="Password"/> through the app's own services (no HTTP, no login throttling).</summary>
    public Task<User> CreateUserAsync(string username, string role = Policies.CustomerRole) => CreateUserAsync(App.Services, username, role);

    private static async Task<User> CreateUserAsync(IServiceProvider services, string username, string role)
    {
        await using var scope = services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<UserAccounts>()
            .CreateAsync(username, Password, null, role, TestContext.Current.CancellationToken);
    }

    private static async Task<string> IssueTokenAsync(IServiceProvider services, User user)
    {
        await using var scope = services.CreateAsyncScope();
        var session = await scope.ServiceProvider.GetRequiredService<SessionStore>().IssueAsync(user, TestContext.Current.CancellationToken);
        return session.Token;
    }

    /// <summary>
    /// Creates a user (password <see cref="Password"/>) with the role given, logs in through the real
    /// <c>POST /api/v1/sessions</c>, and returns a client that sends the bearer token.
    /// </summary>
    public async Task<HttpClient> SignInAsync(string username, string role = Policies.CustomerRole)
    {
        await CreateUserAsync(username, role);
        return BearerClient(await LogInAsync(username));
    }

    /// <summary>Logs in through the real API with <see cref="Password"/> and returns the bearer token.</summary>
    public async Task<string> LogInAsync(string username, string password = Password)
    {
        using var response = await Client.PostAsync("/api/v1/sessions",
            Http.Json(new JsonObject { ["username"] = username, ["password"] = password }), TestContext.Current.CancellationToken);
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"login of {username} failed: {(int)response.StatusCode} {body}");
        return (string)JsonNode.Parse(body)!["token"]!;
    }

    /// <summary>A client that sends <c>X-API-Key: <paramref name="key"/></c>.</summary>
    public HttpClient ApiKeyClient(string key) => CreateClient(("X-API-Key", key));

    /// <summary>Creates an API key through the real API with <paramref name="owner"/>'s credentials and returns the key.</summary>
    public static async Task<string> CreateApiKeyAsync(HttpClient owner, string name = "test key")
    {
        using var response = await owner.PostAsync("/api/v1/api-keys", Http.Json(new JsonObject { ["name"] = name }), TestContext.Current.CancellationToken);
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"creating an API key failed: {(int)response.StatusCode} {body}");
        return (string)JsonNode.Parse(body)!["key"]!;
    }

    /// <summary>A client that sends <c>Authorization: Bearer <paramref name="token"/></c>.</summary>
    public HttpClient BearerClient(string token) => CreateClient(("Authorization", $"Bearer {token}"));

    public HttpClient CreateClient(params (string Name, string Value)[] headers)
    {
        var client = new HttpClient { BaseAddress = BaseAddress };
        foreach (var (name, value) in headers)
        {
            client.DefaultRequestHeaders.TryAddWithoutValidation(name, value);
        }
        return client;
    }

    /// <summary>A client acting as the admin <see cref="AdminUsername"/> (bearer <see cref="AdminToken"/>).</summary>
    public HttpClient AdminClient() => BearerClient(AdminToken);

    /// <summary>
    /// Waits until the log file holds a line matching <paramref name="predicate"/> (the sink writes
    /// asynchronously), and returns all lines.
    /// </summary>
    public Task<string[]> WaitForLogAsync(Func<string, bool> predicate) => WaitForLinesAsync(LogFile, predicate);

    public Task<string[]> WaitForAccessLogAsync(Func<string, bool> predicate) => WaitForLinesAsync(AccessLogFile, predicate);

    public static async Task<string[]> WaitForLinesAsync(string path, Func<string, bool> predicate)
    {
        // A line usually arrives within milliseconds, but a loaded machine running the suite in
        // parallel can hold the asynchronous writer back.
        return await Poll.UntilAsync(() => ReadLinesAsync(path), lines => lines.Any(predicate),
            $"a matching line in {path}", describe: lines => string.Join("\n", lines.TakeLast(10)));
    }

    /// <summary>The lines of a file another process or the app's log sink may be writing; none while it does not exist.</summary>
    public static async Task<string[]> ReadLinesAsync(string path)
    {
        if (!File.Exists(path))
        {
            return [];
        }
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return (await reader.ReadToEndAsync(TestContext.Current.CancellationToken)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
        if (_ownDatabase is not null)
        {
            await _ownDatabase.DisposeAsync();
        }
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
            // A file still held by a closing handle is left for the OS to clean up with /tmp.
        }
    }
}
