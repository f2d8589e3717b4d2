using Shop.Tests.Infrastructure;
using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;

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
    public async Task AnUnknownUserTakesAboutAsLongAsAWrongPassword()
    {
        await using var shop = await ShopApp.StartAsync();
        const int Rounds = 12;
        for (var i = 0; i < Rounds; i++)
        {
            await shop.CreateUserAsync($"user{i}");
        }
        // Warm up both paths (JIT, connection pool, the decoy hash) before measuring.
        await LogInAsync(shop, "user0", "wrong password");
        await LogInAsync(shop, "warm-up", "wrong password");

        var wrongPassword = new List<double>();
        var unknownUser = new List<double>();
        for (var i = 1; i < Rounds; i++)
        {
            wrongPassword.Add(await TimeAsync(() => LogInAsync(shop, $"user{i}", "wrong password")));
            unknownUser.Add(await TimeAsync(() => LogInAsync(shop, $"ghost{i}", "wrong password")));
        }
        var ratio = Median(wrongPassword) / Median(unknownUser);
        // Without the decoy hash an unknown user answers tens of times faster than a wrong password.
        Assert.InRange(ratio, 1 / 3.0, 3.0);
    }

    private static async Task<double> TimeAsync(Func<Task<HttpResponseMessage>> call)
    {
        var watch = Stopwatch.StartNew();
        using var response = await call();
        watch.Stop();
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        return watch.Elapsed.TotalMilliseconds;
    }

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

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
        var files = shop.Settings.OnPostgres
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
