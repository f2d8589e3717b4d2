using Shop.Infrastructure.Cache;

namespace Shop.Tests.Infrastructure;

public sealed class RedisAddressTests
{
    [Theory]
    [InlineData("127.0.0.1:6379", "127.0.0.1", 6379, 0, null, null)]
    [InlineData("cache.internal:6380", "cache.internal", 6380, 0, null, null)]
    [InlineData("[::1]:6379", "::1", 6379, 0, null, null)]
    [InlineData("redis://cache:6379", "cache", 6379, 0, null, null)]
    [InlineData("redis://cache:6379/3", "cache", 6379, 3, null, null)]
    [InlineData("redis://:s%40cret@cache:6379/1", "cache", 6379, 1, null, "s@cret")]
    [InlineData("redis://shop:pw@10.0.0.5:6379/0", "10.0.0.5", 6379, 0, "shop", "pw")]
    public void AnAddressIsReadInBothForms(string raw, string host, int port, int database, string? user, string? password) =>
        Assert.Equal(new RedisAddress(host, port, database, user, password), RedisAddress.Parse(raw));

    [Theory]
    [InlineData("cache")]
    [InlineData("cache:0")]
    [InlineData("cache:99999")]
    [InlineData(":6379")]
    [InlineData("http://cache:6379")]
    [InlineData("redis://cache")]
    [InlineData("redis://cache:6379/x")]
    [InlineData("redis://:secret@cache:port/0")]
    public void AMalformedAddressIsRefused(string raw) =>
        Assert.Throws<FormatException>(() => RedisAddress.Parse(raw));

    [Fact]
    public void TheTextOfAnAddressNeverHoldsThePassword() =>
        Assert.Equal("cache:6379/2", RedisAddress.Parse("redis://:topsecret@cache:6379/2").ToString());
}
