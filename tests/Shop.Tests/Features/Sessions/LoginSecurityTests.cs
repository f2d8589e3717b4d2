using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Shop.Features.Users;
using Shop.Hosting;

namespace Shop.Tests.Features.Sessions;

/// <summary>What the login module must never give away: which usernames exist, and any secret in the clear.</summary>
public abstract class LoginSecurityTests
{
    public sealed class OnSqlite : LoginSecurityTests;

    public sealed class OnPostgres : LoginSecurityTests, IOnPostgres;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static Task<HttpResponseMessage> LogInAsync(ShopApp shop, string username, string password) =>
        shop.Client.PostAsync("/api/v1/sessions", Http.Json(new JsonObject { ["username"] = username, ["password"] = password }), Ct);

    [Fact]
    public async Task AnUnknownUserCostsTheSamePasswordHashAsAWrongPassword()
    {
        await using var shop = await ShopApp.StartAsync(configure: builder =>
            builder.Services.AddSingleton<IPasswordHasher<User>, RecordingPasswordHasher>());
        var hasher = (RecordingPasswordHasher)shop.App.Services.GetRequiredService<IPasswordHasher<User>>();
        await shop.CreateUserAsync("user1");

        var wrongPassword = await VerificationsOfAsync(hasher, () => LogInAsync(shop, "user1", "wrong password"));
        var unknownUser = await VerificationsOfAsync(hasher, () => LogInAsync(shop, "ghost", "wrong password"));

        // One verification each, against a hash of the same algorithm, iteration count and salt
        // length: the same work, so the response time does not tell which usernames exist.
        Assert.Equal(HashParameters(Assert.Single(wrongPassword)), HashParameters(Assert.Single(unknownUser)));
    }

    private static async Task<List<string>> VerificationsOfAsync(RecordingPasswordHasher hasher, Func<Task<HttpResponseMessage>> logIn)
    {
        hasher.Verified.Clear();
        using var response = await logIn();
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        return [.. hasher.Verified];
    }

    /// <summary>The header of an ASP.NET Core Identity v3 hash: format marker, PRF, iteration count, salt length.</summary>
    private static string HashParameters(string hash)
    {
        var bytes = Convert.FromBase64String(hash);
        Assert.Equal(0x01, bytes[0]);
        return Convert.ToHexString(bytes, 0, 13);
    }

    /// <summary>The real password hasher, with a record of the hashes it verified against.</summary>
    private sealed class RecordingPasswordHasher(IOptions<PasswordHasherOptions> options) : PasswordHasher<User>(options)
    {
        public ConcurrentQueue<string> Verified { get; } = new();

        public override PasswordVerificationResult VerifyHashedPassword(User user, string hashedPassword, string providedPassword)
        {
            Verified.Enqueue(hashedPassword);
            return base.VerifyHashedPassword(user, hashedPassword, providedPassword);
        }
    }

    [Fact]
    public async Task NoSecretAppearsInAnyResponseLogLineOrTheDatabaseFile()
    {
        await using var shop = await ShopApp.StartAsync(s => s with { LogLevel = "debug" });
        const string Password = "Pa55word-that-must-stay-secret";
        const string NewPassword = "An0ther-secret-password";
        var seen = new StringBuilder();
        async Task<JsonNode> Record(HttpResponseMessage response)
        {
            var text = await response.Content.ReadAsStringAsync(Ct);
            seen.Append(response.Headers).Append(response.Content.Headers).Append(text);
            return text.Length > 0 ? JsonNode.Parse(text)! : new JsonObject();
        }

        var user = await Record(await shop.Client.PostAsync("/api/v1/users",
            Http.Json(new JsonObject { ["username"] = "alice", ["password"] = Password }), Ct));
        await Record(await LogInAsync(shop, "alice", "wrong " + Password));
        var token = (string)(await Record(await LogInAsync(shop, "alice", Password)))["token"]!;
        using var alice = shop.BearerClient(token);
        var key = (string)(await Record(await alice.PostAsync("/api/v1/api-keys", Http.Json("""{"name":"k"}"""), Ct)))["key"]!;
        await Record(await alice.GetAsync("/api/v1/users/me", Ct));
        await Record(await alice.SendAsync(new HttpRequestMessage(HttpMethod.Patch, $"/api/v1/users/{user["id"]}")
        {
            Content = Http.Json(new JsonObject { ["password"] = NewPassword, ["current_password"] = Password }),
        }, Ct));
        await Record(await shop.Client.PostAsync("/api/v1/users",
            Http.Json(new JsonObject { ["username"] = "alice", ["password"] = Password }), Ct));

        var responses = seen.ToString();
        Assert.DoesNotContain(Password, responses);
        Assert.DoesNotContain(NewPassword, responses);
        var log = string.Join('\n', await shop.WaitForLogAsync(l => l.Contains("User") && l.Contains("changed password")));
        var accessLog = string.Join('\n', await shop.WaitForAccessLogAsync(l => l.Contains("PATCH")));
        Assert.Contains("logged in", log);
        foreach (var secret in new[] { Password, NewPassword, token, key })
        {
            Assert.DoesNotContain(secret, log);
            Assert.DoesNotContain(secret, accessLog);
            Assert.False(DatabaseHolds(shop, secret), "a secret is stored in the clear in the database");
        }
    }

    private static bool DatabaseHolds(ShopApp shop, string secret)
    {
        var needle = Encoding.UTF8.GetBytes(secret);
        var files = shop.Settings.ToDatabaseOptions().OnPostgres
            ? PostgresServer.GetAsync().Result.DataFilesAsync(shop.Settings.Database).Result
            : Directory.GetFiles(Path.GetDirectoryName(shop.Settings.Database)!, "shop.db*");
        return files
            .Any(file =>
            {
                using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                using var copy = new MemoryStream();
                stream.CopyTo(copy);
                return copy.ToArray().AsSpan().IndexOf(needle) >= 0;
            });
    }
}
