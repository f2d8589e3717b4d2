using Microsoft.Net.Http.Headers;

namespace Shop.Rest;

/// <summary>
/// Entity tags from a resource's version counter, and the conditional-request rules built on them:
/// <c>If-None-Match</c> on reads (304) and <c>If-Match</c> on writes (412).
/// </summary>
public static class ETags
{
    public static string For(long id, int version) => $"\"{id}-{version}\"";

    /// <summary>True when the client's cached copy is current, so a 304 answers the GET.</summary>
    public static bool NotModified(HttpRequest request, string etag)
    {
        var header = request.Headers.IfNoneMatch;
        return header.Count > 0 && AnyMatches(header, etag, weak: true);
    }

    /// <summary>Throws 412 when <c>If-Match</c> is present and does not name the current version.</summary>
    public static void CheckIfMatch(HttpRequest request, string etag)
    {
        var header = request.Headers.IfMatch;
        if (header.Count > 0 && !AnyMatches(header, etag, weak: false))
        {
            throw Stale();
        }
    }

    /// <summary>
    /// True when <c>If-Match</c> names versions (not just <c>*</c>): the client asked to change only
    /// the version it read, so a concurrent change is its 412, not something to write over.
    /// </summary>
    public static bool NamesVersions(HttpRequest request) =>
        request.Headers.IfMatch.Count > 0
        && !(EntityTagHeaderValue.TryParseList(request.Headers.IfMatch, out var tags) && tags.All(t => t.Equals(EntityTagHeaderValue.Any)));

    /// <summary>The 412 of a write whose If-Match names a version that is no longer current.</summary>
    public static ApiProblem Stale() => new(412, "The resource has changed since you read it (If-Match does not match its ETag)");

    private static bool AnyMatches(Microsoft.Extensions.Primitives.StringValues header, string etag, bool weak)
    {
        if (!EntityTagHeaderValue.TryParseList(header, out var tags))
        {
            return false;
        }
        var current = EntityTagHeaderValue.Parse(etag);
        return tags.Any(tag => tag.Equals(EntityTagHeaderValue.Any) || tag.Compare(current, useStrongComparison: !weak));
    }
}
