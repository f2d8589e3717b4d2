using System.Text.Json.Nodes;
using Serilog.Events;
using Serilog.Parsing;
using Shop.Infrastructure.Logging;

namespace Shop.Tests.Infrastructure;

/// <summary><c>log_format=json</c> on events made here: the fields, their order, and what is left out.</summary>
public sealed class JsonLogFormatTests
{
    private static readonly DateTimeOffset Time = new(2026, 11, 23, 20, 14, 14, 123, TimeSpan.FromHours(1));

    private static string Format(LogEvent logEvent)
    {
        new LevelNameEnricher().Enrich(logEvent, null!);
        var output = new StringWriter();
        JsonLogFormat.Create().Format(logEvent, output);
        return output.ToString();
    }

    private static LogEvent Event(string template, Exception? exception, params (string Name, object? Value)[] properties) =>
        new(Time, LogEventLevel.Information, exception, new MessageTemplateParser().Parse(template),
            properties.Select(p => new LogEventProperty(p.Name, new ScalarValue(p.Value))));

    [Fact]
    public void ABusinessEventHasEveryFieldInOrderAndOnlyTheMessagesOwnProperties()
    {
        var line = Format(Event("Goods {GoodsId} ({Sku}) created by {User}; {Sku} again", null,
            ("GoodsId", 42), ("Sku", "SKU-1"), ("User", "admin"), ("SourceContext", "Shop.Features.Goods.GoodsApi"),
            ("Member", "CreateGoods"), ("Line", 57), ("RequestId", "3f2a"), ("ParentTraceId", "0af7"), ("ConnectionId", "x")));

        Assert.Equal(
            """{"time":"2026-11-23T19:14:14.123Z","level":"INFO","source":"Shop.Features.Goods.GoodsApi","member":"CreateGoods","line":57,"message":"Goods 42 (SKU-1) created by admin; SKU-1 again","request_id":"3f2a","trace_id":"0af7","properties":{"GoodsId":42,"Sku":"SKU-1","User":"admin"}}""" + "\n",
            line);
    }

    [Fact]
    public void AFrameworkEventHasNullMemberAndLineAndNoRequestFields()
    {
        var line = Format(Event("Now listening on: http://127.0.0.1:5000", null, ("SourceContext", "Microsoft.Hosting.Lifetime")));

        Assert.Equal(
            """{"time":"2026-11-23T19:14:14.123Z","level":"INFO","source":"Microsoft.Hosting.Lifetime","member":null,"line":null,"message":"Now listening on: http://127.0.0.1:5000"}""" + "\n",
            line);
    }

    [Fact]
    public void ControlCharactersAndAnExceptionStayOnTheEventsOneLine()
    {
        var line = Format(Event("Failed login for {User}", new InvalidOperationException("bad\r\nthing"), ("User", "root\r\n2026-01-01 forged\u001b[31m")));

        Assert.EndsWith("\n", line, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', line[..^1]);
        Assert.DoesNotContain('\r', line);
        var json = JsonNode.Parse(line)!.AsObject();
        Assert.Equal("Failed login for root\r\n2026-01-01 forged\u001b[31m", (string?)json["message"]);
        Assert.StartsWith("System.InvalidOperationException: bad\r\nthing", (string?)json["exception"], StringComparison.Ordinal);
        Assert.Equal("root\r\n2026-01-01 forged\u001b[31m", (string?)json["properties"]!["User"]);
    }
}
