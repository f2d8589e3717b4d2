using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Shop.Rest;

/// <summary>
/// Timestamps as the contract writes them: ISO 8601 in UTC to the second, <c>2026-11-23T19:14:14Z</c>.
/// Values read back from SQLite have no kind; they were stored as UTC, so they are taken as UTC.
/// </summary>
public sealed class UtcTimestampConverter : JsonConverter<DateTime>
{
    public const string Format = "yyyy-MM-dd'T'HH:mm:ss'Z'";

    public override DateTime Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        DateTime.ParseExact(reader.GetString()!, Format, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);

    public override void Write(Utf8JsonWriter writer, DateTime value, JsonSerializerOptions options) =>
        writer.WriteStringValue((value.Kind == DateTimeKind.Local ? value.ToUniversalTime() : value).ToString(Format, CultureInfo.InvariantCulture));
}
