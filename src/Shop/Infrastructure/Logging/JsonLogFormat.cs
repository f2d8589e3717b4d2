using System.Globalization;
using Serilog.Events;
using Serilog.Expressions;
using Serilog.Formatting;
using Serilog.Parsing;
using Serilog.Templates;

namespace Shop.Infrastructure.Logging;

/// <summary>
/// <c>log_format=json</c>: one JSON object per line with the text line's fields, for log shippers:
/// <c>{"time":"2026-11-23T19:14:14.123Z","level":"INFO","source":"Shop.Features.Goods.GoodsApi",
/// "member":"CreateGoods","line":57,"message":"Goods 42 (SKU-1) created by admin",
/// "request_id":"3f2a…","trace_id":"0af7…","properties":{"GoodsId":42,"Sku":"SKU-1","User":"admin"}}</c>.
/// <c>member</c> and <c>line</c> are null for framework events; <c>request_id</c>, <c>trace_id</c>,
/// <c>exception</c> and <c>properties</c> appear only when there is one. Written by Serilog.Expressions'
/// <see cref="ExpressionTemplate"/>, whose JSON strings escape CR, LF and every other C0 control
/// character, so an event is always one line.
/// </summary>
public static class JsonLogFormat
{
    /// <summary>Members whose value is undefined (no such property) are left out of the object.</summary>
    public const string Template =
        "{ {time: ToString(UtcDateTime(@t), 'yyyy-MM-ddTHH:mm:ss.fffZ'), level: LevelName, "
        + "source: if SourceContext = '-' then null else SourceContext, member: if Member = '-' then null else Member, "
        + "line: if TypeOf(Line) = 'System.Int32' then Line else null, message: @m, "
        + $"request_id: {RequestLogEnricher.RequestIdProperty}, trace_id: {RequestLogEnricher.TraceIdProperty}, exception: @x, "
        + "properties: MessageProperties()} }\n";

    public static ITextFormatter Create() =>
        new ExpressionTemplate(Template, CultureInfo.InvariantCulture, new StaticMemberNameResolver(typeof(JsonLogFormat)));

    /// <summary>
    /// The template's <c>MessageProperties()</c>: only the values named in the message, undefined when
    /// there are none. Scope and framework properties vary by caller and would give shippers an
    /// unbounded set of fields; a name used twice in a message is written once.
    /// </summary>
    public static LogEventPropertyValue? MessageProperties(LogEvent logEvent)
    {
        List<LogEventProperty>? named = null;
        foreach (var token in logEvent.MessageTemplate.Tokens)
        {
            if (token is PropertyToken property && logEvent.Properties.TryGetValue(property.PropertyName, out var value)
                && named?.Exists(p => p.Name == property.PropertyName) != true)
            {
                (named ??= []).Add(new LogEventProperty(property.PropertyName, value));
            }
        }
        return named is null ? null : new StructureValue(named);
    }
}
