using System.Security.Claims;

namespace Shop.Infrastructure.Auth;

/// <summary>Ends sessions: the login module's store, which the users module calls when a password changes.</summary>
public interface ISessionRevoker
{
    /// <summary>Revokes every session of the caller's user except the caller's own; returns how many.</summary>
    Task<int> RevokeOthersAsync(ClaimsPrincipal caller, CancellationToken cancellationToken);
}
