namespace Shop.Infrastructure.Auth;

/// <summary>The credential schemes the modules registered, and which one a request is for.</summary>
public sealed class CredentialSchemes
{
    private readonly List<(string Name, Func<HttpRequest, bool> SentIn)> _bySentCredential = [];
    private string? _fallback;

    public void Add(string name, Func<HttpRequest, bool>? sentIn)
    {
        if (sentIn is not null)
        {
            _bySentCredential.Add((name, sentIn));
            return;
        }
        if (_fallback is not null)
        {
            throw new InvalidOperationException($"Two fallback credential schemes: {_fallback} and {name}");
        }
        _fallback = name;
    }

    /// <summary>
    /// True when the request carries a credential (false: it is anonymous): an <c>Authorization</c>
    /// header, which the fallback scheme reads, or the credential of another scheme.
    /// </summary>
    public bool AnySent(HttpRequest request)
    {
        if (request.Headers.ContainsKey("Authorization"))
        {
            return true;
        }
        foreach (var (_, sentIn) in _bySentCredential)
        {
            if (sentIn(request))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>The first scheme whose credential the request carries, else the fallback.</summary>
    public string For(HttpRequest request)
    {
        foreach (var (name, sentIn) in _bySentCredential)
        {
            if (sentIn(request))
            {
                return name;
            }
        }
        return _fallback ?? throw new InvalidOperationException("No fallback credential scheme is registered");
    }
}
