namespace Shop.Features.Sessions;

/// <summary>What the session handlers that log in and out take from the container, bound with <c>[AsParameters]</c> (eShop's services record).</summary>
public sealed record SessionServices(SessionStore Sessions, ILoggerFactory Logs);
