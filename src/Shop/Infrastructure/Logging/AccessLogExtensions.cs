using System.Diagnostics;

namespace Shop.Infrastructure.Logging;

public static class AccessLogExtensions
{
    /// <summary>Writes one access-log line per request, after the answer, whatever it was.</summary>
    public static IApplicationBuilder UseAccessLog(this IApplicationBuilder app)
    {
        var log = app.ApplicationServices.GetRequiredService<AccessLog>();
        if (!log.Enabled)
        {
            return app;
        }
        return app.Use(async (context, next) =>
        {
            var start = Stopwatch.GetTimestamp();
            var body = ResponseBodyCounter.Attach(context);
            try
            {
                await next(context);
            }
            finally
            {
                log.Write(context, start, body.Bytes);
            }
        });
    }
}
