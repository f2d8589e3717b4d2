using Serilog.Core;
using Serilog.Events;

namespace Shop.Infrastructure.Logging;

/// <summary>
/// Names levels as operators know them from Python's logging (INFO, WARNING, ...), and fills
/// <c>Member</c> and <c>Line</c> with "-" for framework events that carry no caller information.
/// </summary>
public sealed class LevelNameEnricher : ILogEventEnricher
{
    private static readonly LogEventProperty[] Names =
    [
        new("LevelName", new ScalarValue("DEBUG")), // Verbose
        new("LevelName", new ScalarValue("DEBUG")),
        new("LevelName", new ScalarValue("INFO")),
        new("LevelName", new ScalarValue("WARNING")),
        new("LevelName", new ScalarValue("ERROR")),
        new("LevelName", new ScalarValue("CRITICAL")),
    ];

    private static readonly LogEventProperty NoMember = new("Member", new ScalarValue("-"));
    private static readonly LogEventProperty NoLine = new("Line", new ScalarValue("-"));
    private static readonly LogEventProperty NoSource = new("SourceContext", new ScalarValue("-"));

    /// <summary>The operator's name of a level: DEBUG, INFO, WARNING, ERROR or CRITICAL.</summary>
    public static string NameOf(LogEventLevel level) => (string)((ScalarValue)Names[(int)level].Value).Value!;

    public void Enrich(LogEvent logEvent, ILogEventPropertyFactory propertyFactory)
    {
        logEvent.AddOrUpdateProperty(Names[(int)logEvent.Level]);
        logEvent.AddPropertyIfAbsent(NoMember);
        logEvent.AddPropertyIfAbsent(NoLine);
        logEvent.AddPropertyIfAbsent(NoSource);
    }
}
