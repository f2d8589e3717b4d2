using System.Globalization;
using System.Text;

namespace Shop.Rest;

/// <summary>
/// Money as the contract has it: an amount with at most 2 decimals, never rounded. Amounts are
/// decided from the exact text the client sent (a JSON number token, a CSV field, a query value),
/// because <see cref="decimal"/> parsing silently rounds digits beyond its 28-29 significant
/// digits (<c>1.00000000000000000000000000001</c> would become 1, <c>1E-30</c> would become 0).
/// The text is a number in the JSON grammar, loosened for CSV and query strings as
/// <see cref="decimal.TryParse(string?, out decimal)"/> was: a leading <c>+</c>, <c>.5</c> and
/// <c>5.</c> are also read. An exponent counts, and trailing zeros do not: <c>1.10</c>,
/// <c>1.100</c> and <c>11e-1</c> are all 1.1, while <c>1.001</c> and <c>1E-30</c> have too many decimals.
/// </summary>
public static class Money
{
    public const string NotANumber = "must be a number";
    public const string TooManyDecimals = "must have at most 2 decimals";
    public const string TooLarge = "is too large";

    /// <summary>
    /// Whole digits an amount may have: any more and it is not representable exactly as a
    /// <see cref="decimal"/> with 2 decimals. No money rule comes anywhere near it.
    /// </summary>
    public const int MaxWholeDigits = 26;

    /// <summary>Parses <paramref name="text"/> exactly; on failure <paramref name="error"/> says why (one of the constants above).</summary>
    public static bool TryParse(ReadOnlySpan<char> text, out decimal amount, out string? error)
    {
        amount = 0;
        error = null;
        var i = 0;
        var negative = false;
        if (i < text.Length && text[i] is '+' or '-')
        {
            negative = text[i] == '-';
            i++;
        }
        // The significant digits (integer part then fraction, without leading zeros) and the
        // power of ten they are scaled by.
        var digits = new StringBuilder();
        long exponent = 0;
        var sawDigit = false;
        for (; i < text.Length && char.IsAsciiDigit(text[i]); i++)
        {
            sawDigit = true;
            if (digits.Length > 0 || text[i] != '0')
            {
                digits.Append(text[i]);
            }
        }
        if (i < text.Length && text[i] == '.')
        {
            for (i++; i < text.Length && char.IsAsciiDigit(text[i]); i++)
            {
                sawDigit = true;
                exponent--;
                if (digits.Length > 0 || text[i] != '0')
                {
                    digits.Append(text[i]);
                }
            }
        }
        if (!sawDigit)
        {
            error = NotANumber;
            return false;
        }
        if (i < text.Length && text[i] is 'e' or 'E')
        {
            i++;
            var exponentNegative = false;
            if (i < text.Length && text[i] is '+' or '-')
            {
                exponentNegative = text[i] == '-';
                i++;
            }
            if (i == text.Length)
            {
                error = NotANumber;
                return false;
            }
            // Saturates: an exponent beyond a billion already makes any non-zero amount too large
            // or too fine, and the sum below cannot overflow.
            long written = 0;
            for (; i < text.Length && char.IsAsciiDigit(text[i]); i++)
            {
                written = Math.Min(written * 10 + (text[i] - '0'), 1_000_000_000);
            }
            exponent += exponentNegative ? -written : written;
        }
        if (i != text.Length)
        {
            error = NotANumber;
            return false;
        }
        // Trailing zeros only scale: 1.100 is 11 × 10^-1.
        var significant = digits.Length;
        while (significant > 0 && digits[significant - 1] == '0')
        {
            significant--;
            exponent++;
        }
        if (significant == 0)
        {
            return true; // Zero, whatever its exponent or sign.
        }
        if (exponent < -2)
        {
            error = TooManyDecimals;
            return false;
        }
        if (significant + exponent > MaxWholeDigits)
        {
            error = TooLarge;
            return false;
        }
        // At most 28 digits of cents: decimal holds them exactly.
        var cents = digits.ToString(0, significant) + new string('0', (int)exponent + 2);
        amount = decimal.Parse(cents, NumberStyles.None, CultureInfo.InvariantCulture) / 100m;
        if (negative)
        {
            amount = -amount;
        }
        return true;
    }

    /// <summary>The whole cents of an amount that has at most 2 decimals.</summary>
    public static long ToCents(decimal amount) => (long)(amount * 100);
}
