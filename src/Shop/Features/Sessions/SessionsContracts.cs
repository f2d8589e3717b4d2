using System.Text.Json.Serialization;
using Shop.Features.Users;
using Shop.Rest;

namespace Shop.Features.Sessions;

/// <summary>The body of <c>POST /api/v1/sessions</c>.</summary>
public sealed record LoginRequest(string? Username, string? Password);

/// <summary>A new session: the token is shown only in this answer.</summary>
public sealed record SessionResponse(string Token, string TokenType, DateTime ExpiresAt, UserResponse User);

/// <summary>One of the caller's live sessions, as listed: never the token.</summary>
public sealed record SessionInfo(long Id, DateTime CreatedAt, DateTime ExpiresAt, bool Current);

[JsonSerializable(typeof(LoginRequest))]
[JsonSerializable(typeof(SessionResponse))]
[JsonSerializable(typeof(SessionInfo))]
[JsonSerializable(typeof(Page<SessionInfo>))]
public sealed partial class SessionsJson : JsonSerializerContext
{
    /// <summary>The session records in the wire format (<see cref="WireJson"/>).</summary>
    public static SessionsJson Wire { get; } = new(WireJson.Options());
}
