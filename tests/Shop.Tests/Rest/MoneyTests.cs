using System.Globalization;
using System.Text.Json;
using Shop.Rest;

namespace Shop.Tests.Rest;

/// <summary>Money decided from the exact text, without a server: every notation and edge the contract names.</summary>
public sealed class MoneyTests
{
    /// <summary>Amounts that a decimal parser rounds to an acceptable value, and the plainly too precise.</summary>
    public static TheoryData<string> TooPrecise =>
    [
        "1.00000000000000000000000000001",
        "1E-30",
        "0.1e-400",
        "1.10000000000000000000000000000000000009",
        "1.001",
        "-1.001",
        "100000000000000000000000000000.001",
    ];

    /// <summary>Exact amounts of at most 2 decimals, written as JSON numbers in other ways, and their values.</summary>
    public static TheoryData<string, string> ExactInJson => new()
    {
        { "1.10", "1.1" },
        { "1.100", "1.1" },
        { "11e-1", "1.1" },
        { "0", "0" },
        { "0e-999", "0" },
        { "1e2", "100" },
        { "12.5E+1", "125" },
        { "1000000.00000000000000000000000000000000", "1000000" },
    };

    /// <summary>What CSV fields and query values may also be: not JSON numbers, still exact.</summary>
    public static TheoryData<string, string> ExactLoosened => new()
    {
        { "+1", "1" },
        { ".5", "0.5" },
        { "5.", "5" },
    };

    [Theory]
    [MemberData(nameof(TooPrecise))]
    public void MoreThanTwoDecimalsIsRefusedWhateverTheDigits(string text)
    {
        Assert.False(Money.TryParse(text, out _, out var error));
        Assert.Equal(Money.TooManyDecimals, error);
    }

    [Theory]
    [MemberData(nameof(ExactInJson))]
    [MemberData(nameof(ExactLoosened))]
    public void AnExactAmountInAnyNotationHasItsValue(string text, string value)
    {
        Assert.True(Money.TryParse(text, out var amount, out var error), error);
        Assert.Equal(decimal.Parse(value, CultureInfo.InvariantCulture), amount);
    }

    [Theory]
    [InlineData("1e400")]
    [InlineData("99999999999999999999999999999999999999")]
    public void MoreThan26WholeDigitsIsTooLarge(string text)
    {
        Assert.False(Money.TryParse(text, out _, out var error));
        Assert.Equal(Money.TooLarge, error);
    }

    [Theory]
    [InlineData("")]
    [InlineData("abc")]
    [InlineData("1.2.3")]
    [InlineData("1e")]
    [InlineData("-")]
    [InlineData("0x10")]
    public void WhatIsNotANumberIsSaidSo(string text)
    {
        Assert.False(Money.TryParse(text, out _, out var error));
        Assert.Equal(Money.NotANumber, error);
    }

    private sealed record Priced([property: System.Text.Json.Serialization.JsonConverter(typeof(MoneyJsonConverter))] decimal? Price);

    [Theory]
    [MemberData(nameof(TooPrecise))]
    public void TheJsonConverterReadsTheTokenTextSoNothingIsRoundedFirst(string text)
    {
        var error = Assert.ThrowsAny<JsonException>(() => JsonSerializer.Deserialize<Priced>($$"""{"Price":{{text}}}"""));
        Assert.Equal(Money.TooManyDecimals, error.Message);
    }

    [Theory]
    [MemberData(nameof(ExactInJson))]
    public void TheJsonConverterReadsExactAmounts(string text, string value) =>
        Assert.Equal(decimal.Parse(value, CultureInfo.InvariantCulture), JsonSerializer.Deserialize<Priced>($$"""{"Price":{{text}}}""")!.Price);
}
