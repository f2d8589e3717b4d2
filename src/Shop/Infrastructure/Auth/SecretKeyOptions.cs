namespace Shop.Infrastructure.Auth;

/// <summary>What <see cref="Secrets"/> is told: the <c>secret_key</c> setting; null uses the built-in development key.</summary>
public sealed record SecretKeyOptions(string? SecretKey);
