using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Shop.Features.Sessions;

/// <summary>
/// The turn of one login attempt for a username, held in the database so that attempts on every
/// instance take turns (see <see cref="LoginThrottle"/>). A row is a lease: an instance that dies
/// mid-attempt blocks the username only until <see cref="LeaseUntil"/>.
/// </summary>
public sealed class LoginTurn
{
    public required string NormalizedUsername { get; set; }

    /// <summary>The attempt holding the turn (a random id).</summary>
    public required string Holder { get; set; }

    /// <summary>Unix milliseconds after which another attempt may take the turn.</summary>
    public long LeaseUntil { get; set; }
}
