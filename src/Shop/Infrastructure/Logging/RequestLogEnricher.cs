using System.Diagnostics;
using Serilog.Core;
using Serilog.Events;

namespace Shop.Infrastructure.Logging;

/// <summary>
/// Adds the current request's id (<c>X-Request-Id</c>, the same value as in the response header and
/// error bodies) and, when the client sent a valid W3C <c>traceparent</c>, its trace id to every event
/// logged while that request runs, whoever logs it. Text lines get them appended after the message,
/// <c>… - message [request_id=3f2a… trace_id=0af7…]</c>, so the foundation's fields keep their places.
/// </summary>
/// <remarks>
/// The request is found through <see cref="RequestLogContext"/> at the moment an event is written,
/// so requests that log nothing pay nothing here. Events outside a request get an empty suffix.
/// </remarks>
public sealed class RequestLogEnricher : ILogEventEnricher
{
    public const string RequestIdProperty = "RequestId";
    public const string TraceIdProperty = "ParentTraceId";
    public const string SuffixProperty = "RequestSuffix";

    private static readonly LogEventProperty NoSuffix = new(SuffixProperty, new ScalarValue(""));

    public void Enrich(LogEvent logEvent, ILogEventPropertyFactory propertyFactory)
    {
        if (RequestLogContext.HttpContext is not { } context)
        {
            logEvent.AddOrUpdateProperty(NoSuffix);
            return;
        }
        var id = context.TraceIdentifier;
        var traceId = TraceIdOf(context.Request.Headers.TraceParent.ToString(), context.Request.Headers.TraceState.ToString());
        // AddOrUpdate: ASP.NET Core's own log scope carries a "RequestId" captured before our id was set.
        logEvent.AddOrUpdateProperty(new LogEventProperty(RequestIdProperty, new ScalarValue(id)));
        if (traceId is not null)
        {
            logEvent.AddOrUpdateProperty(new LogEventProperty(TraceIdProperty, new ScalarValue(traceId)));
        }
        var suffix = traceId is null ? $" [request_id={id}]" : $" [request_id={id} trace_id={traceId}]";
        logEvent.AddOrUpdateProperty(new LogEventProperty(SuffixProperty, new ScalarValue(suffix)));
    }

    /// <summary>The 32-hex-digit trace id of a valid <c>traceparent</c> header, else null (a forged or
    /// malformed header must not put arbitrary text into log lines).</summary>
    internal static string? TraceIdOf(string traceParent, string traceState) =>
        traceParent.Length > 0 && ActivityContext.TryParse(traceParent, traceState.Length > 0 ? traceState : null, out var parsed)
            ? parsed.TraceId.ToHexString()
            : null;
}
