using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using CsvHelper;

namespace Shop.Rest;

/// <summary>
/// One page of a collection in the contract's envelope <c>{items, total, limit, offset}</c>, with
/// <c>X-Total-Count</c> and an RFC 8288 <c>Link</c> header in the client's paging style, members
/// limited by <c>fields</c>, and a CSV rendering of the same rows when the client asked for it.
/// </summary>
/// <param name="itemsJson">The items' JSON array as <see cref="ItemsJson"/> writes it, kept by a cache so that a hit serialises nothing again.</param>
public sealed class PagedResult<T>(
    IReadOnlyList<T> items, int total, PageRequest page, FieldSet fields, JsonTypeInfo<T> typeInfo, byte[]? itemsJson = null) : IResult
{
    /// <summary>The JSON array of <paramref name="items"/>, byte for byte as an answer with every field holds it.</summary>
    public static byte[] ItemsJson(IReadOnlyList<T> items, JsonTypeInfo<T> typeInfo)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            WriteItems(writer, items, typeInfo);
        }
        return buffer.WrittenSpan.ToArray();
    }

    private static void WriteItems(Utf8JsonWriter writer, IReadOnlyList<T> items, JsonTypeInfo<T> typeInfo)
    {
        writer.WriteStartArray();
        foreach (var item in items)
        {
            JsonSerializer.Serialize(writer, item, typeInfo);
        }
        writer.WriteEndArray();
    }

    public async Task ExecuteAsync(HttpContext context)
    {
        var response = context.Response;
        var representation = Negotiation.Choose(context.Request, csvOffered: true);
        foreach (var (name, value) in Headers(context.Request))
        {
            response.Headers[name] = value;
        }
        if (representation == Representation.Csv)
        {
            response.ContentType = "text/csv; charset=utf-8";
            await WriteCsvAsync(response.Body, context.RequestAborted);
            return;
        }
        response.ContentType = "application/json; charset=utf-8";
        await using var writer = new Utf8JsonWriter(response.BodyWriter);
        WriteJson(writer);
        await writer.FlushAsync(context.RequestAborted);
    }

    /// <summary>The JSON answer to <paramref name="request"/>, bytes and headers, for a cache to send again as it is.</summary>
    public CachedAnswer ToCachedAnswer(HttpRequest request)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            WriteJson(writer);
        }
        return new CachedAnswer(buffer.WrittenSpan.ToArray(), etag: null, Headers(request));
    }

    private KeyValuePair<string, string>[] Headers(HttpRequest request) =>
    [
        new("X-Total-Count", total.ToString(CultureInfo.InvariantCulture)),
        new("Link", PageLinks.For(request, page, total)),
        new("Vary", "Accept"),
    ];

    private void WriteJson(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WritePropertyName("items");
        if (fields.All && itemsJson is not null)
        {
            writer.WriteRawValue(itemsJson, skipInputValidation: true);
        }
        else if (fields.All)
        {
            WriteItems(writer, items, typeInfo);
        }
        else
        {
            writer.WriteStartArray();
            foreach (var item in items)
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
            writer.WriteEndArray();
        }
        writer.WriteNumber("total", total);
        writer.WriteNumber("limit", page.Limit);
        writer.WriteNumber("offset", page.Offset);
        writer.WriteEndObject();
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
