using System.Collections.Concurrent;

namespace Shop.Infrastructure.Logging;

/// <summary>
/// One logger per category, as Microsoft's own logger factory keeps them. Serilog's factory (what
/// <c>AddSerilog</c> registers) makes a new logger, with a Serilog logger and an event-id cache of
/// its own, at every <see cref="CreateLogger"/>; ASP.NET Core makes each authentication handler
/// anew for every request, and each handler asks for its logger, so every authenticated request
/// built two. Hand-written because the factory is Serilog's and has no option for it.
/// </summary>
internal sealed class CachingLoggerFactory(ILoggerFactory inner) : ILoggerFactory
{
    private readonly ConcurrentDictionary<string, ILogger> _loggers = new(StringComparer.Ordinal);

    public ILogger CreateLogger(string categoryName) => _loggers.GetOrAdd(categoryName, inner.CreateLogger);

    public void AddProvider(ILoggerProvider provider) => inner.AddProvider(provider);

    public void Dispose() => inner.Dispose();
}
