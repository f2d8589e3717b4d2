using System.Globalization;
using Serilog.Events;
using Serilog.Formatting;
using Serilog.Formatting.Display;
using Serilog.Formatting.Json;
using Serilog.Parsing;

namespace Shop.Infrastructure.Logging;

/// <summary>
/// <c>log_format=json</c>: one JSON object per line with the text line's fields, for log shippers:
/// <c>{"time":"2026-11-23T19:14:14.123Z","level":"INFO","source":"Shop.Features.Goods.GoodsApi",
/// "member":"CreateGoods","line":57,"message":"Goods 42 (SKU-1) created by admin",
/// "request_id":"3f2a…","trace_id":"0af7…","properties":{"GoodsId":42,"Sku":"SKU-1","User":"admin"}}</c>.
/// <c>member</c> and <c>line</c> are null for framework events; <c>request_id</c>, <c>trace_id</c> and
/// <c>exception</c> appear only when there is one. <c>properties</c> holds the message's named values.
/// </summary>
public sealed class JsonLogFormatter : ITextFormatter
{
    private static readonly MessageTemplateTextFormatter Message = new("{Message:lj}", CultureInfo.InvariantCulture);
    private static readonly JsonValueFormatter Values = new(typeTagName: null);

    public void Format(LogEvent logEvent, TextWriter output)
    {
        output.Write("{\"time\":\"");
        output.Write(logEvent.Timestamp.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
        output.Write("\",\"level\":\"");
        output.Write(LevelNameEnricher.NameOf(logEvent.Level));
        output.Write('"');
        Write(output, "source", Text(logEvent, "SourceContext"));
        Write(output, "member", Text(logEvent, "Member"));
        output.Write(",\"line\":");
        output.Write(logEvent.Properties.TryGetValue("Line", out var line) && line is ScalarValue { Value: int number }
            ? number.ToString(CultureInfo.InvariantCulture)
            : "null");
        var message = new StringWriter(CultureInfo.InvariantCulture);
        Message.Format(logEvent, message);
        Write(output, "message", message.ToString());
        WriteIfPresent(output, "request_id", Text(logEvent, RequestLogEnricher.RequestIdProperty));
        WriteIfPresent(output, "trace_id", Text(logEvent, RequestLogEnricher.TraceIdProperty));
        WriteIfPresent(output, "exception", logEvent.Exception?.ToString());
        WriteProperties(logEvent, output);
        output.Write('}');
        output.Write('\n');
    }

    /// <summary>Only the values named in the message: scope and framework properties vary by caller
    /// and would give shippers an unbounded set of fields.</summary>
    private static void WriteProperties(LogEvent logEvent, TextWriter output)
    {
        var written = new List<string>();
        foreach (var token in logEvent.MessageTemplate.Tokens)
        {
            // A name used twice in a template is written once: duplicate keys are not valid JSON for many readers.
            if (token is not PropertyToken property || written.Contains(property.PropertyName)
                || !logEvent.Properties.TryGetValue(property.PropertyName, out var value))
            {
                continue;
            }
            output.Write(written.Count == 0 ? ",\"properties\":{" : ",");
            written.Add(property.PropertyName);
            JsonValueFormatter.WriteQuotedJsonString(property.PropertyName, output);
            output.Write(':');
            Values.Format(value, output);
        }
        if (written.Count > 0)
        {
            output.Write('}');
        }
    }

    /// <summary>A string property, or null when missing or the "-" placeholder of the text format.</summary>
    private static string? Text(LogEvent logEvent, string name) =>
        logEvent.Properties.TryGetValue(name, out var value) && value is ScalarValue { Value: string text } && text != "-" ? text : null;

    private static void Write(TextWriter output, string name, string? value)
    {
        output.Write(",\"");
        output.Write(name);
        output.Write("\":");
        if (value is null)
        {
            output.Write("null");
        }
        else
        {
            JsonValueFormatter.WriteQuotedJsonString(value, output);
        }
    }

    private static void WriteIfPresent(TextWriter output, string name, string? value)
    {
        if (value is not null)
        {
            Write(output, name, value);
        }
    }
}
