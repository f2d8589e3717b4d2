using System.Text.Json.Serialization;
using Shop.Features.Users;
using Shop.Rest;

namespace Shop.Features.Sessions;

/// <summary>The body of <c>POST /api/v1/sessions</c>.</summary>
public sealed record LoginRequest(string? Username, string? Password);

/// <summary>A new session: the token is shown only in this answer.</summary>
public sealed record SessionResponse(string Token, string TokenType, DateTime ExpiresAt, UserResponse User);

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    Converters = [typeof(UtcTimestampConverter)])]
[JsonSerializable(typeof(LoginRequest))]
[JsonSerializable(typeof(SessionResponse))]
public sealed partial class SessionsJson : JsonSerializerContext;
