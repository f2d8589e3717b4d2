using System.Globalization;
using Serilog.Events;
using Serilog.Formatting;
using Serilog.Formatting.Display;

namespace Shop.Infrastructure.Logging;

/// <summary>
/// The text format's line: the template rendered by Serilog, then the exception (if any) after
/// <c> | </c>, and every control character and line separator in all of it escaped
/// (<see cref="LogText"/>), so one event is always exactly one line, whatever a client sent.
/// </summary>
public sealed class OneLineTextFormatter(string template) : ITextFormatter
{
    private readonly MessageTemplateTextFormatter _template = new(template, CultureInfo.InvariantCulture);

    public void Format(LogEvent logEvent, TextWriter output)
    {
        var line = new StringWriter(CultureInfo.InvariantCulture);
        _template.Format(logEvent, line);
        if (logEvent.Exception is { } exception)
        {
            line.Write(" | ");
            line.Write(exception.ToString());
        }
        output.Write(LogText.Escape(line.ToString()));
        output.Write('\n');
    }
}
