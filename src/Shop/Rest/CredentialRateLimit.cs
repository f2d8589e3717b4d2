namespace Shop.Rest;

/// <summary>
/// Marks an endpoint that hashes a password (log in, register) with its per-address limit: a bucket
/// of <paramref name="Tokens"/> requests, refilled by one every <paramref name="Every"/>.
/// </summary>
public sealed record CredentialRateLimit(string Name, int Tokens, TimeSpan Every)
{
    /// <summary><c>POST /api/v1/sessions</c>: 30 at once, then one more every 2 s, per address.</summary>
    public static readonly CredentialRateLimit Logins = new("logins", 30, TimeSpan.FromSeconds(2));

    /// <summary><c>POST /api/v1/users</c>: 10 at once, then one more every 6 s, per address.</summary>
    public static readonly CredentialRateLimit Registrations = new("registrations", 10, TimeSpan.FromSeconds(6));
}
