using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using CsvHelper;
using Microsoft.AspNetCore.Http.Extensions;

namespace Shop.Rest;

/// <summary>
/// One page of a collection in the contract's envelope <c>{items, total, limit, offset}</c>, with
/// <c>X-Total-Count</c> and an RFC 8288 <c>Link</c> header in the client's paging style, members
/// limited by <c>fields</c>, and a CSV rendering of the same rows when the client asked for it.
/// </summary>
public sealed class PagedResult<T>(
    IReadOnlyList<T> items, int total, PageRequest page, FieldSet fields, JsonTypeInfo<T> typeInfo) : IResult
{
    public async Task ExecuteAsync(HttpContext context)
    {
        var response = context.Response;
        var representation = Negotiation.Choose(context.Request, csvOffered: true);
        response.Headers["X-Total-Count"] = total.ToString(CultureInfo.InvariantCulture);
        response.Headers.Link = PageLinks.For(context.Request, page, total);
        response.Headers.Vary = "Accept";
        if (representation == Representation.Csv)
        {
            response.ContentType = "text/csv; charset=utf-8";
            await WriteCsvAsync(response.Body, context.RequestAborted);
            return;
        }
        response.ContentType = "application/json; charset=utf-8";
        await using var writer = new Utf8JsonWriter(response.BodyWriter);
        writer.WriteStartObject();
        writer.WriteStartArray("items");
        foreach (var item in items)
        {
            if (fields.All)
            {
                JsonSerializer.Serialize(writer, item, typeInfo);
            }
            else
            {
                var element = JsonSerializer.SerializeToElement(item, typeInfo);
                writer.WriteStartObject();
                foreach (var name in fields.Names)
                {
                    writer.WritePropertyName(name);
                    if (element.TryGetProperty(name, out var value))
                    {
                        value.WriteTo(writer);
                    }
                    else
                    {
                        writer.WriteNullValue();
                    }
                }
                writer.WriteEndObject();
            }
        }
        writer.WriteEndArray();
        writer.WriteNumber("total", total);
        writer.WriteNumber("limit", page.Limit);
        writer.WriteNumber("offset", page.Offset);
        writer.WriteEndObject();
        await writer.FlushAsync(context.RequestAborted);
    }

    private async Task WriteCsvAsync(Stream body, CancellationToken cancellationToken)
    {
        var names = fields.All ? FieldSet.NamesOf(typeInfo) : fields.Names;
        await using var text = new StreamWriter(body, new UTF8Encoding(false), leaveOpen: true);
        await using var csv = new CsvWriter(text, CultureInfo.InvariantCulture, leaveOpen: true);
        foreach (var name in names)
        {
            csv.WriteField(name);
        }
        await csv.NextRecordAsync();
        foreach (var item in items)
        {
            var element = JsonSerializer.SerializeToElement(item, typeInfo);
            foreach (var name in names)
            {
                csv.WriteField(element.TryGetProperty(name, out var value) ? CsvText(value) : "");
            }
            await csv.NextRecordAsync();
        }
        await csv.FlushAsync();
        await text.FlushAsync(cancellationToken);
    }

    private static string CsvText(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => CsvCells.Text(value.GetString()!),
        JsonValueKind.Null or JsonValueKind.Undefined => "",
        _ => value.GetRawText(),
    };
}

/// <summary>The members a client asked for with <c>fields=</c>, validated against the item type.</summary>
public sealed class FieldSet
{
    private FieldSet(IReadOnlyList<string> names, bool all) => (Names, All) = (names, all);

    public IReadOnlyList<string> Names { get; }

    public bool All { get; }

    public static FieldSet Parse<T>(string? fields, JsonTypeInfo<T> typeInfo)
    {
        if (fields is null)
        {
            return new FieldSet([], all: true);
        }
        var known = NamesOf(typeInfo);
        var names = FieldList.Split("fields", fields).Distinct().ToList();
        var unknown = names.Where(n => !known.Contains(n)).ToList();
        if (unknown.Count > 0)
        {
            throw ApiProblem.Validation("fields", $"unknown field '{SortMap<object>.Truncate(unknown[0])}'; use {string.Join(", ", known)}");
        }
        return new FieldSet(names, all: false);
    }

    public static IReadOnlyList<string> NamesOf(JsonTypeInfo typeInfo) => typeInfo.Properties.Select(p => p.Name).ToList();
}

/// <summary>The comma-separated field names of <c>sort</c> and <c>fields</c>.</summary>
public static class FieldList
{
    /// <summary>
    /// The names in a list such as <c>price,-created_at</c>; null gives none. An empty list or an
    /// empty name (<c>sort=</c>, <c>fields=id,,name</c>) is a 400: it is a broken URL, and
    /// guessing what it meant would hide the client's bug.
    /// </summary>
    public static IReadOnlyList<string> Split(string parameter, string? list)
    {
        if (list is null)
        {
            return [];
        }
        var names = list.Split(',', StringSplitOptions.TrimEntries);
        if (names.All(n => n.Length == 0))
        {
            throw ApiProblem.Validation(parameter, "must list at least one field");
        }
        return names.Any(n => n.Length == 0 || n == "-")
            ? throw ApiProblem.Validation(parameter, "has an empty field name (two commas in a row, or one at an end)")
            : names;
    }
}

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
