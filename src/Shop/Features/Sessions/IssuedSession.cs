namespace Shop.Features.Sessions;

/// <summary>A session just issued: the token is known only here and in the answer to the client.</summary>
public sealed record IssuedSession(long Id, string Token, DateTime ExpiresAt);
