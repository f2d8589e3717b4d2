using System.Globalization;
using System.Text;
using System.Text.Json;
using CsvHelper;
using CsvHelper.Configuration;
using Shop.Rest;

namespace Shop.Features.Goods.Imports;

/// <summary>
/// Reads an import — CSV through CsvHelper (quoted fields, a UTF-8 byte order mark) or a JSON array —
/// into rows checked by the same <see cref="GoodsRules"/> as the goods API. It streams, so the
/// endpoint can check an upload before queueing it and the job can read it again to apply it.
/// </summary>
public static class GoodsImportParser
{
    public const int MaxRows = 100_000;
    public const string Csv = "text/csv";
    public const string Json = "application/json";

    private static readonly string[] Columns = ["sku", "name", "description", "price", "stock", "category"];
    private static readonly string[] RequiredColumns = ["sku", "name", "price"];

    public static IEnumerable<ImportRow> Parse(byte[] data, string format) =>
        format == Csv ? ParseCsv(data) : ParseJson(data);

    private static IEnumerable<ImportRow> ParseCsv(byte[] data)
    {
        if (!System.Text.Unicode.Utf8.IsValid(data))
        {
            throw new ImportFormatException("The CSV file is not valid UTF-8");
        }
        var badData = false;
        var configuration = new CsvConfiguration(CultureInfo.InvariantCulture) { BadDataFound = _ => badData = true };
        using var text = new StreamReader(new MemoryStream(data), Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        using var parser = new CsvParser(text, configuration);
        var header = parser.Read() ? Header(parser.Record!) : throw new ImportFormatException("The CSV file is empty: it needs the header row");
        var rows = 0;
        var next = 2; // Where the next record starts if no blank line comes first.
        while (parser.Read())
        {
            if (++rows > MaxRows)
            {
                throw new ImportFormatException($"An import holds at most {MaxRows} rows", StatusCodes.Status413PayloadTooLarge);
            }
            // RawRow is the last physical line of the record; a quoted field may span several.
            var line = parser.RawRow - parser.RawRecord.TrimEnd('\r', '\n').Count(c => c == '\n');
            // An odd number of quotes: one was opened and never closed, so the record ran to the
            // end of the file, and RawRow then counts the file's last line break too. Such a
            // record starts where the previous one ended.
            var unclosed = parser.RawRecord.Count(c => c == '"') % 2 == 1;
            if (unclosed)
            {
                line = Math.Min(line, next);
            }
            next = line + Math.Max(1, parser.RawRecord.Count(c => c == '\n'));
            var record = parser.Record!;
            yield return unclosed ? Failed(line, "malformed CSV (a quote is never closed; the rest of the file is this row)")
                : badData ? Failed(line, "malformed CSV (a stray quote)")
                : record.Length != header.Length ? Failed(line, $"has {record.Length} fields; the header has {header.Length}")
                : FromCsv(line, header, record);
            badData = false;
        }
    }

    private static string[] Header(string[] record)
    {
        var names = record.Select(n => n.Trim().ToLowerInvariant()).ToArray();
        var unknown = names.Where(n => !Columns.Contains(n)).ToList();
        var missing = RequiredColumns.Where(n => !names.Contains(n)).ToList();
        if (unknown.Count > 0 || missing.Count > 0 || names.Distinct().Count() != names.Length)
        {
            throw new ImportFormatException(
                $"The CSV header must name the columns {string.Join(",", Columns)} (sku, name and price required, each once); got '{SortMap<object>.Truncate(string.Join(",", record))}'");
        }
        return names;
    }

    private static ImportRow FromCsv(int line, string[] header, string[] record)
    {
        string? Field(string name) => Array.IndexOf(header, name) is var i and >= 0 && record[i].Length > 0 ? record[i] : null;
        var errors = new List<string>();
        decimal? price = null;
        if (Field("price") is { } priceText)
        {
            if (Money.TryParse(priceText, out var amount, out var error))
            {
                price = amount;
            }
            else
            {
                errors.Add($"price: {error}");
            }
        }
        long? stock = null;
        if (Field("stock") is { } stockText)
        {
            stock = long.TryParse(stockText, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var s) ? s : null;
            if (stock is null)
            {
                errors.Add("stock: must be an integer");
            }
        }
        return errors.Count > 0
            ? Failed(line, string.Join("; ", errors))
            : Validated(line, new GoodsWrite(Field("sku"), Field("name"), Field("description"), price, stock, Field("category")));
    }

    private static IEnumerable<ImportRow> ParseJson(byte[] data)
    {
        JsonDocument document;
        try
        {
            // Duplicate members are allowed here and refused per element below: one bad element
            // fails that row, not the whole import.
            // A UTF-8 byte order mark is tolerated, as in CSV: editors on some systems add one.
            var json = data.AsMemory(data.AsSpan().StartsWith(Encoding.UTF8.Preamble) ? Encoding.UTF8.Preamble.Length : 0);
            document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 32 });
        }
        catch (JsonException ex)
        {
            throw new ImportFormatException(ex.LineNumber is { } line
                ? $"Malformed JSON at line {line + 1}, byte {ex.BytePositionInLine + 1}"
                : "Malformed JSON");
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Array)
            {
                throw new ImportFormatException("A JSON import must be an array of goods");
            }
            if (root.GetArrayLength() > MaxRows)
            {
                throw new ImportFormatException($"An import holds at most {MaxRows} rows", StatusCodes.Status413PayloadTooLarge);
            }
            var index = 0;
            foreach (var element in root.EnumerateArray())
            {
                index++;
                yield return element.ValueKind != JsonValueKind.Object ? Failed(index, "must be a JSON object")
                    : DuplicateMember(element) is { } name ? Failed(index, $"{name}: appears twice")
                    : FromJson(index, element);
            }
        }
    }

    /// <summary>The first member name an object repeats, or null.</summary>
    private static string? DuplicateMember(JsonElement element)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        return element.EnumerateObject().Select(p => p.Name).FirstOrDefault(name => !names.Add(name));
    }

    private static ImportRow FromJson(int index, JsonElement element)
    {
        try
        {
            return Validated(index, JsonBinding.Bind(element, GoodsJson.Wire.GoodsWrite));
        }
        catch (ApiProblem problem)
        {
            return Failed(index, Describe(problem));
        }
    }

    private static ImportRow Validated(int line, GoodsWrite write)
    {
        try
        {
            return new ImportRow(line, GoodsRules.Validate(write), write.Stock is not null, null);
        }
        catch (ApiProblem problem)
        {
            return Failed(line, Describe(problem));
        }
    }

    private static ImportRow Failed(int line, string error) => new(line, null, false, error);

    private static string Describe(ApiProblem problem) =>
        problem.Errors is { Count: > 0 } errors
            ? string.Join("; ", errors.Select(e => $"{e.Key}: {string.Join(", ", e.Value)}"))
            : problem.Error;
}
