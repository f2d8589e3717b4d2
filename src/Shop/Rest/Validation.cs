using System.Text.RegularExpressions;

namespace Shop.Rest;

/// <summary>
/// Collects field errors for one request body and throws them together as the contract's
/// <c>{"error": "Validation failed", "errors": {field: [messages]}}</c>.
/// </summary>
public sealed class Validation
{
    private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

    public void Add(string field, string message)
    {
        if (!_errors.TryGetValue(field, out var messages))
        {
            _errors[field] = messages = [];
        }
        messages.Add(message);
    }

    /// <summary>
    /// Checks a text field. Length counts Unicode characters (code points), not UTF-16 units, and
    /// NUL characters are refused everywhere because they truncate text in many clients and tools.
    /// </summary>
    public string? Text(string field, string? value, int min, int max, bool required = false, Regex? pattern = null, string? patternRule = null)
    {
        if (!Present(field, value is not null, required))
        {
            return null;
        }
        var length = value!.EnumerateRunes().Count();
        if (length < min || length > max)
        {
            Add(field, min == max ? $"must be {min} characters" : min > 0 ? $"must be {min} to {max} characters" : $"must be at most {max} characters");
        }
        else if (value.Contains('\0'))
        {
            Add(field, "must not contain NUL characters");
        }
        else if (min > 0 && string.IsNullOrWhiteSpace(value))
        {
            Add(field, "must not be blank");
        }
        else if (pattern is not null && !pattern.IsMatch(value))
        {
            Add(field, patternRule ?? "has an invalid format");
        }
        return value;
    }

    /// <summary>
    /// Checks money: a number in range with at most two decimals (never rounded). Returns cents. The
    /// amount must have been read exactly (<see cref="Rest.Money"/>): a decimal parser has already
    /// rounded away the digits beyond its precision that this check would refuse.
    /// </summary>
    public long? Money(string field, decimal? value, decimal min, decimal max, bool required = false)
    {
        if (!Present(field, value is not null, required))
        {
            return null;
        }
        var amount = value!.Value;
        if (amount < min || amount > max)
        {
            Add(field, $"must be between {min} and {max}");
            return null;
        }
        var cents = amount * 100;
        if (cents != decimal.Truncate(cents))
        {
            Add(field, "must have at most 2 decimals");
            return null;
        }
        return (long)cents;
    }

    public long? Integer(string field, long? value, long min, long max, bool required = false)
    {
        if (!Present(field, value is not null, required))
        {
            return null;
        }
        if (value < min || value > max)
        {
            Add(field, $"must be an integer from {min} to {max}");
        }
        return value;
    }

    /// <summary>Whether a field has a value to check; a missing required one is recorded as "is required".</summary>
    private bool Present(string field, bool present, bool required)
    {
        if (!present && required)
        {
            Add(field, "is required");
        }
        return present;
    }

    public void ThrowIfInvalid()
    {
        if (_errors.Count > 0)
        {
            throw ApiProblem.Validation(_errors.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal));
        }
    }
}
