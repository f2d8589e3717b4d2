using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Shop.Rest;

/// <summary>
/// Reads a money member from the raw text of its JSON number token (see <see cref="Money"/>), so
/// that nothing is rounded before the rules see it. Put it on each money member of a request:
/// <c>[property: JsonConverter(typeof(MoneyJsonConverter))]</c>.
/// </summary>
public sealed class MoneyJsonConverter : JsonConverter<decimal?>
{
    public override bool HandleNull => true;

    public override decimal? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }
        if (reader.TokenType != JsonTokenType.Number)
        {
            throw new JsonException(); // Named by JsonBody as "has the wrong type".
        }
        // A number token is ASCII, and the JSON reader has already checked its grammar.
        var text = Encoding.ASCII.GetString(reader.HasValueSequence ? reader.ValueSequence.ToArray() : reader.ValueSpan);
        return Money.TryParse(text, out var amount, out var error) ? amount : throw new JsonMemberException(error!);
    }

    public override void Write(Utf8JsonWriter writer, decimal? value, JsonSerializerOptions options)
    {
        if (value is { } amount)
        {
            writer.WriteNumberValue(amount);
        }
        else
        {
            writer.WriteNullValue();
        }
    }
}
