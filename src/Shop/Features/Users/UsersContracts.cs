using System.Text.Json.Serialization;
using Shop.Rest;

namespace Shop.Features.Users;

/// <summary>The body of <c>POST /api/v1/users</c>.</summary>
public sealed record UserRegistration(string? Username, string? Password, string? Email);

/// <summary>The body of <c>PATCH /api/v1/users/{id}</c>: the current password proves it is really the owner.</summary>
public sealed record UserChange(string? Email, string? Password, string? CurrentPassword);

/// <summary>A user as the API shows it: never the password or its hash.</summary>
public sealed record UserResponse(long Id, string Username, string? Email, string Role, DateTime CreatedAt)
{
    public static UserResponse From(User u) => new(u.Id, u.Username, u.Email, u.Role, u.CreatedAt);
}

[JsonSerializable(typeof(UserRegistration))]
[JsonSerializable(typeof(UserChange))]
[JsonSerializable(typeof(UserResponse))]
[JsonSerializable(typeof(Page<UserResponse>))]
public sealed partial class UsersJson : JsonSerializerContext
{
    /// <summary>The user records in the wire format (<see cref="WireJson"/>).</summary>
    public static UsersJson Wire { get; } = new(WireJson.Options());
}
