using System.Text.Json;

namespace Shop.Rest;

/// <summary>
/// A member whose JSON type is right but whose value a converter refuses; the message is the
/// field error the client sees (for example "must have at most 2 decimals").
/// </summary>
public sealed class JsonMemberException(string message) : JsonException(message);
