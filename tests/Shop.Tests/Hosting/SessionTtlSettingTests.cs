using System.Collections;
using Shop.Hosting;

namespace Shop.Tests.Hosting;

public sealed class SessionTtlSettingTests
{
    private static ShopSettings Load(string value) =>
        SettingsLoader.Load(null, new Hashtable { ["SHOP_SESSION_TTL"] = value }, new Dictionary<string, string?>());

    [Fact]
    public void TheDefaultIs24Hours() =>
        Assert.Equal(TimeSpan.FromHours(24), SettingsLoader.Load(null, new Hashtable(), new Dictionary<string, string?>()).SessionTtl);

    [Theory]
    [InlineData("30m", 30 * 60)]
    [InlineData("8h", 8 * 3600)]
    [InlineData("7d", 7 * 86400)]
    [InlineData("3600", 3600)]
    public void DurationsTakeAUnit(string value, int seconds) => Assert.Equal(TimeSpan.FromSeconds(seconds), Load(value).SessionTtl);

    [Theory]
    [InlineData("soon")]
    [InlineData("10s")]
    [InlineData("-5m")]
    [InlineData("400d")]
    public void ABadValueNamesTheSetting(string value)
    {
        var error = Assert.Throws<SettingsException>(() => Load(value));
        Assert.Equal("session_ttl", error.Setting);
        Assert.StartsWith("session_ttl: must be a duration", error.Message);
    }
}
