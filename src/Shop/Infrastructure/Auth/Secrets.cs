using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Shop.Infrastructure.Logging;

namespace Shop.Infrastructure.Auth;

/// <summary>
/// Makes bearer tokens and API keys and the keyed hashes (HMAC-SHA256) they are stored as. The
/// secrets are 256 random bits, so a fast hash is enough against guessing; the key (the
/// <c>secret_key</c> setting) lives outside the database, so a copy of the database alone does not
/// even allow checking a guess.
/// </summary>
public sealed class Secrets
{
    // Used only when secret_key is not set, so that the embedded default works with no set-up.
    private const string DevelopmentKey = "shop-development-secret-key-set-secret_key-in-production";

    private readonly byte[] _key;

    public Secrets(SecretKeyOptions options, ILogger<Secrets> logger)
    {
        if (options.SecretKey is null)
        {
            logger.Warning("secret_key is not set: tokens and API keys are hashed with the built-in development key");
        }
        _key = Encoding.UTF8.GetBytes(options.SecretKey ?? DevelopmentKey);
    }

    /// <summary>A new random secret: 256 bits, URL-safe base64, after an optional visible prefix.</summary>
    public static string NewSecret(string prefix = "") =>
        prefix + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));

    /// <summary>The keyed hash a secret is stored and looked up by.</summary>
    public byte[] Hash(string secret) => HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(secret));
}
