using System.Globalization;
using StackExchange.Redis;

namespace Shop.Infrastructure.Cache;

/// <summary>
/// The <c>redis</c> setting: <c>host:port</c>, or <c>redis://[[user]:password@]host:port[/db]</c>.
/// <see cref="ToString"/> never shows the password, so the address can go into log lines.
/// </summary>
public sealed record RedisAddress(string Host, int Port, int Database, string? User, string? Password)
{
    /// <summary>The address, or a <see cref="FormatException"/> whose message never holds the password.</summary>
    public static RedisAddress Parse(string raw)
    {
        const string Expected = "must be host:port or redis://[:password@]host:port[/db]";
        if (!raw.Contains("://", StringComparison.Ordinal))
        {
            var colon = raw.LastIndexOf(':');
            var host = colon > 0 ? raw[..colon] : "";
            return host.Length > 0 && !host.Contains('@') && ParsePort(raw[(colon + 1)..]) is { } port
                ? new RedisAddress(host.Trim('[', ']'), port, 0, null, null)
                : throw new FormatException($"{Expected} (got '{raw}')");
        }
        if (!Uri.TryCreate(raw, UriKind.Absolute, out var uri) || uri.Scheme != "redis" || uri.Host.Length == 0
            || ParsePort(uri.Authority[(uri.Authority.LastIndexOf(':') + 1)..]) is not { } uriPort || uri.Query.Length > 0 || uri.Fragment.Length > 0)
        {
            // The text may hold a password: name the shape only.
            throw new FormatException($"{Expected} (got a URI that is not of that form)");
        }
        var path = uri.AbsolutePath.Trim('/');
        var database = path.Length == 0 ? 0
            : int.TryParse(path, NumberStyles.None, CultureInfo.InvariantCulture, out var db) ? db
            : throw new FormatException($"{Expected}: db is a number (got '{path}')");
        string? user = null, password = null;
        if (uri.UserInfo.Length > 0)
        {
            var colon = uri.UserInfo.IndexOf(':');
            user = colon > 0 ? Uri.UnescapeDataString(uri.UserInfo[..colon]) : colon < 0 ? Uri.UnescapeDataString(uri.UserInfo) : null;
            password = colon >= 0 ? Uri.UnescapeDataString(uri.UserInfo[(colon + 1)..]) : null;
        }
        return new RedisAddress(uri.IdnHost.Trim('[', ']'), uriPort, database, user, password);
    }

    private static int? ParsePort(string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is > 0 and <= 65535 ? port : null;

    /// <summary>
    /// The client's options. A Redis that is down must cost a request nothing: commands fail at once
    /// while disconnected (no backlog, short timeouts), start-up does not wait for a connection, and
    /// the client keeps trying to reconnect every half second.
    /// </summary>
    public ConfigurationOptions ToOptions() => new()
    {
        EndPoints = { { Host, Port } },
        DefaultDatabase = Database,
        User = User,
        Password = Password,
        AbortOnConnectFail = false,
        BacklogPolicy = BacklogPolicy.FailFast,
        ConnectTimeout = 1_000,
        SyncTimeout = 1_000,
        AsyncTimeout = 1_000,
        ConnectRetry = 1,
        ReconnectRetryPolicy = new LinearRetry(500),
        KeepAlive = 5,
        ClientName = "shop",
    };

    public override string ToString() =>
        $"{(Host.Contains(':') ? $"[{Host}]" : Host)}:{Port.ToString(CultureInfo.InvariantCulture)}/{Database.ToString(CultureInfo.InvariantCulture)}";
}
