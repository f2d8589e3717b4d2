using Npgsql;
using Shop.Hosting;
using Shop.Infrastructure.Data;

namespace Shop.Tests.Infrastructure;

/// <summary>The <c>database</c> setting's PostgreSQL URI, and the password kept out of every line.</summary>
public sealed class PostgresUriTests
{
    [Theory]
    [InlineData("postgresql://shop:s3cret@db.example:6543/shopdb", "db.example", 6543, "shopdb", "shop", "s3cret")]
    [InlineData("postgres://shop:s3cret@10.0.0.5/shopdb", "10.0.0.5", 5432, "shopdb", "shop", "s3cret")]
    [InlineData("postgresql://sh%40p:p%3Ass%2Fw%40rd@[::1]:5433/my%20db", "::1", 5433, "my db", "sh@p", "p:ss/w@rd")]
    [InlineData("POSTGRESQL://app@localhost/shop", "localhost", 5432, "shop", "app", null)]
    public void AUriBecomesTheNpgsqlConnectionString(string uri, string host, int port, string database, string user, string? password)
    {
        var builder = new NpgsqlConnectionStringBuilder(PostgresUri.ToConnectionString(uri));
        Assert.Equal((host, port, database, user, password), (builder.Host, builder.Port, builder.Database, builder.Username, builder.Password));
    }

    [Fact]
    public void NpgsqlOptionsFollowTheQuestionMark()
    {
        var builder = new NpgsqlConnectionStringBuilder(PostgresUri.ToConnectionString("postgresql://u:p@h/d?sslmode=require&Maximum%20Pool%20Size=7"));
        Assert.Equal((SslMode.Require, 7), (builder.SslMode, builder.MaxPoolSize));
    }

    [Theory]
    [InlineData("postgresql://shop:hunter2@db:port/shop", "'postgresql://shop:***@db:port/shop' is not a PostgreSQL URI (postgresql://user:password@host:5432/database)")]
    [InlineData("postgres://shop:hunter2@db:5432", "'postgres://shop:***@db:5432' names no database (postgresql://user:password@host:5432/database)")]
    [InlineData("postgresql://shop:hunter2@db/shop?colour=blue", "'postgresql://shop:***@db/shop?colour=blue': option 'colour' is not a connection option of Npgsql or has a bad value")]
    [InlineData("postgresql://shop@db/shop?password=hunter2&port=x", "'postgresql://shop@db/shop?password=***&port=x': option 'port' is not a connection option of Npgsql or has a bad value")]
    public async Task AMalformedUriStopsStartUpWithOneLineNamingDatabaseAndNoPassword(string uri, string problem)
    {
        var result = await ShopCommand.RunAsync(["serve"], new Dictionary<string, string> { ["SHOP_DATABASE"] = uri });
        Assert.Equal(2, result.ExitCode);
        Assert.Equal($"shop: error: database: {problem}", result.Stderr.TrimEnd('\n'));
        Assert.DoesNotContain("hunter2", result.Stdout + result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void TheSettingIsReadAsPostgresOnlyForAPostgresUri()
    {
        Assert.True(new ShopSettings { Database = "postgres://u@h/d" }.ToDatabaseOptions().OnPostgres);
        Assert.False(new ShopSettings { Database = "postgres.db" }.ToDatabaseOptions().OnPostgres);
    }
}
