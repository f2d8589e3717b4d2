using System.Globalization;

namespace Shop.Rest;

/// <summary>A validated page request: <see cref="Limit"/> items starting at <see cref="Offset"/>.</summary>
public readonly record struct PageRequest(int Limit, int Offset, PagingStyle Style)
{
    public const int DefaultSize = 20;
    public const int MaxSize = 100;

    public static PageRequest From(CollectionQuery query)
    {
        var pageStyle = query.Page is not null || query.PerPage is not null;
        var offsetStyle = query.Limit is not null || query.Offset is not null;
        if (pageStyle && offsetStyle)
        {
            throw ApiProblem.BadRequest("Use either page and per_page or limit and offset, not both");
        }
        if (offsetStyle)
        {
            var limit = Parse(query.Limit, "limit", DefaultSize, 1, MaxSize);
            var offset = Parse(query.Offset, "offset", 0, 0, int.MaxValue);
            return new PageRequest(limit, offset, PagingStyle.Offset);
        }
        var perPage = Parse(query.PerPage, "per_page", DefaultSize, 1, MaxSize);
        var page = Parse(query.Page, "page", 1, 1, int.MaxValue);
        var start = (long)(page - 1) * perPage;
        if (start > int.MaxValue)
        {
            throw ApiProblem.Validation("page", $"must be at most {int.MaxValue / perPage + 1} with per_page={perPage}");
        }
        return new PageRequest(perPage, (int)start, PagingStyle.Page);
    }

    private static int Parse(string? text, string name, int fallback, int min, int max)
    {
        if (text is null)
        {
            return fallback;
        }
        if (!int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)
            || value < min || value > max)
        {
            throw ApiProblem.Validation(name, $"must be an integer from {min} to {max}");
        }
        return value;
    }
}
