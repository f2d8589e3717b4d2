namespace Shop.Infrastructure.Logging;

/// <summary>What the logging (<see cref="LoggingSetup"/>, <see cref="LogFiles"/>) is told.</summary>
/// <param name="LogFile">The service log (<c>log_file</c>): a path, <c>-</c> for standard output, null for standard error.</param>
/// <param name="AccessLogfile">The access log (<c>access_logfile</c>): a path, <c>-</c> for standard output, null for none.</param>
/// <param name="LogLevel"><c>debug</c>, <c>info</c>, <c>warning</c> or <c>error</c>.</param>
/// <param name="LogFormat"><c>text</c> (the line format) or <c>json</c> (one object per line, for log shippers).</param>
public sealed record LogOptions(string? LogFile = null, string? AccessLogfile = null, string LogLevel = "info", string LogFormat = "text");
