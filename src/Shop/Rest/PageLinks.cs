using System.Globalization;
using Microsoft.AspNetCore.Http.Extensions;

namespace Shop.Rest;

/// <summary>Builds the <c>Link</c> header: first, prev, next and last, in the style the client used.</summary>
public static class PageLinks
{
    private static readonly string[] PagingKeys = ["page", "per_page", "limit", "offset"];

    public static string For(HttpRequest request, PageRequest page, int total)
    {
        var size = page.Limit;
        var lastOffset = total == 0 ? 0 : (total - 1) / size * size;
        var links = new List<string> { Link(request, page, 0, "first") };
        if (page.Offset > 0)
        {
            // Beyond the end, the previous page is the last one; otherwise one page back.
            links.Add(Link(request, page, page.Offset >= total ? lastOffset : Math.Max(0, page.Offset - size), "prev"));
        }
        if ((long)page.Offset + size < total)
        {
            links.Add(Link(request, page, page.Offset + size, "next"));
        }
        links.Add(Link(request, page, lastOffset, "last"));
        return string.Join(", ", links);
    }

    private static string Link(HttpRequest request, PageRequest page, int offset, string rel)
    {
        var query = new QueryBuilder(request.Query
            // Query names bind regardless of case (PAGE=2 is page=2), so they are dropped regardless of case.
            .Where(p => !PagingKeys.Contains(p.Key, StringComparer.OrdinalIgnoreCase))
            .SelectMany(p => p.Value.Select(v => new KeyValuePair<string, string>(p.Key, v ?? ""))));
        if (page.Style == PagingStyle.Page)
        {
            query.Add("page", (offset / page.Limit + 1).ToString(CultureInfo.InvariantCulture));
            query.Add("per_page", page.Limit.ToString(CultureInfo.InvariantCulture));
        }
        else
        {
            query.Add("limit", page.Limit.ToString(CultureInfo.InvariantCulture));
            query.Add("offset", offset.ToString(CultureInfo.InvariantCulture));
        }
        return $"<{request.PathBase}{request.Path}{query}>; rel=\"{rel}\"";
    }
}
