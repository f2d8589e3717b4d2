using System.Net;
using System.Text.Json.Nodes;

namespace Shop.Tests.Features.Users;

public abstract class UsersApiTests
{
    public sealed class OnSqlite : UsersApiTests;

    public sealed class OnPostgres : UsersApiTests, IOnPostgres;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static StringContent Registration(string username, string password = ShopApp.Password, string? email = null) =>
        Http.Json(new JsonObject { ["username"] = username, ["password"] = password, ["email"] = email });

    [Fact]
    public async Task RegisteringAnswersTheUserWithoutThePassword()
    {
        await using var shop = await ShopApp.StartAsync();
        var response = await shop.Client.PostAsync("/api/v1/users", Registration("alice", email: "alice@example.com"), Ct);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync(Ct);
        var body = JsonNode.Parse(text)!;
        Assert.Equal($"/api/v1/users/{body["id"]}", response.Headers.Location!.OriginalString);
        Assert.Equal(["id", "username", "email", "role", "created_at"], body.AsObject().Select(p => p.Key));
        Assert.Equal("alice", (string?)body["username"]);
        Assert.Equal("alice@example.com", (string?)body["email"]);
        Assert.Equal("customer", (string?)body["role"]);
        Assert.DoesNotContain(ShopApp.Password, text);
        Assert.DoesNotContain("password", text);
    }

    [Fact]
    public async Task AMemberOfTheWrongTypeIsReportedWithTheOtherFieldErrors()
    {
        await using var shop = await ShopApp.StartAsync();
        var response = await shop.Client.PostAsync("/api/v1/users", Http.Json("""{"username":"X!","password":12345678,"email":"no"}"""), Ct);
        var errors = (await response.AssertProblemAsync(400, "Validation failed"))["errors"]!.AsObject();
        Assert.Equal(["email", "password", "username"], errors.Select(e => e.Key).Order());
        Assert.Equal("has the wrong type", (string?)errors["password"]![0]);
    }

    [Fact]
    public async Task ATakenUsernameIsAConflict()
    {
        await using var shop = await ShopApp.StartAsync();
        await shop.CreateUserAsync("bob");
        var response = await shop.Client.PostAsync("/api/v1/users", Registration("bob"), Ct);
        await response.AssertProblemAsync(409, "The username 'bob' is already taken");
    }

    [Theory]
    [InlineData("Carol")]
    [InlineData("BOB")]
    [InlineData("zoë")]
    public async Task AUsernameOutsideTheContractsAlphabetIsABadRequest(string username)
    {
        await using var shop = await ShopApp.StartAsync();
        var response = await shop.Client.PostAsync("/api/v1/users", Registration(username), Ct);
        var problem = await response.AssertProblemAsync(400, "Validation failed");
        Assert.Equal("must be 3 to 32 of a-z 0-9 _ . -", (string?)problem["errors"]!["username"]![0]);
    }

    [Theory]
    [InlineData("ab", "correct horse", "username")]
    [InlineData("has space", "correct horse", "username")]
    [InlineData("carol", "short", "password")]
    [InlineData("carol", null, "password")]
    public async Task BadFieldsAreValidationErrorsNamingTheField(string username, string? password, string field)
    {
        await using var shop = await ShopApp.StartAsync();
        var response = await shop.Client.PostAsync("/api/v1/users",
            Http.Json(new JsonObject { ["username"] = username, ["password"] = password }), Ct);
        var body = await response.AssertProblemAsync(400, "Validation failed");
        Assert.NotNull(body["errors"]![field]);
    }

    [Fact]
    public async Task APasswordOf129CharactersIsRefused()
    {
        await using var shop = await ShopApp.StartAsync();
        var response = await shop.Client.PostAsync("/api/v1/users", Registration("dave", new string('x', 129)), Ct);
        var body = await response.AssertProblemAsync(400, "Validation failed");
        Assert.Equal("must be 8 to 128 characters", (string?)body["errors"]!["password"]![0]);
    }

    [Fact]
    public async Task MeAnswersTheSignedInUser()
    {
        await using var shop = await ShopApp.StartAsync();
        using var erin = await shop.SignInAsync("erin");
        var body = await (await erin.GetAsync("/api/v1/users/me", Ct)).ReadJsonAsync();
        Assert.Equal("erin", (string?)body["username"]);
        Assert.Equal("customer", (string?)body["role"]);
    }

    [Fact]
    public async Task MeWithoutCredentialsIsAuthenticationRequired()
    {
        await using var shop = await ShopApp.StartAsync();
        var response = await shop.Client.GetAsync("/api/v1/users/me", Ct);
        await response.AssertProblemAsync(401, "Authentication required");
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().ToString());
    }

    [Fact]
    public async Task ACustomerSeesThemselvesButAnotherCustomerIsNotFound()
    {
        await using var shop = await ShopApp.StartAsync();
        var other = await shop.CreateUserAsync("frank");
        using var gina = await shop.SignInAsync("gina");
        var me = await (await gina.GetAsync("/api/v1/users/me", Ct)).ReadJsonAsync();

        Assert.Equal(HttpStatusCode.OK, (await gina.GetAsync($"/api/v1/users/{me["id"]}", Ct)).StatusCode);
        await (await gina.GetAsync($"/api/v1/users/{other.Id}", Ct)).AssertProblemAsync(404, $"User {other.Id} not found");
    }

    [Fact]
    public async Task AnAdminSeesAnyUser()
    {
        await using var shop = await ShopApp.StartAsync();
        var harry = await shop.CreateUserAsync("harry");
        using var admin = shop.AdminClient();
        var body = await (await admin.GetAsync($"/api/v1/users/{harry.Id}", Ct)).ReadJsonAsync();
        Assert.Equal("harry", (string?)body["username"]);
    }

    [Fact]
    public async Task OnlyAnAdminListsUsersPaged()
    {
        await using var shop = await ShopApp.StartAsync();
        using var ivy = await shop.SignInAsync("ivy");
        await shop.CreateUserAsync("jack");
        await (await ivy.GetAsync("/api/v1/users", Ct)).AssertProblemAsync(403);

        using var admin = shop.AdminClient();
        var response = await admin.GetAsync("/api/v1/users?per_page=2&sort=-username", Ct);
        var body = await response.ReadJsonAsync();
        Assert.Equal(3, (int)body["total"]!);
        Assert.Equal(["jack", "ivy"], body["items"]!.AsArray().Select(u => (string?)u!["username"]));
        Assert.Equal("3", response.Headers.GetValues("X-Total-Count").Single());
        Assert.DoesNotContain("password", await response.Content.ReadAsStringAsync(Ct));
    }
}
