using System.Globalization;
using System.Text;

namespace Shop.Infrastructure.Metrics;

/// <summary>
/// <c>/metrics</c> of a worker process: every worker writes its own Prometheus text to a file in the
/// master's folder once a second and when it stops, the master folds the files of workers that
/// exited into <see cref="RetiredFile"/>, and whichever worker answers a scrape adds its fresh text
/// to the others' files (<see cref="PrometheusMerge"/>), so any worker reports the service's totals
/// (another worker's counts lag by at most <see cref="Interval"/>).
/// </summary>
public sealed class MetricsSnapshots(string folder) : BackgroundService
{
    public const string RetiredFile = "retired.prom";
    public const string Extension = ".prom";
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    private readonly string _own = Path.Combine(folder, Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + Extension);

    /// <summary>The exporter's own answer (set when <c>/metrics</c> is mapped).</summary>
    public RequestDelegate? Scrape { get; set; }

    public IServiceProvider? Services { get; set; }

    /// <summary>Writes the merged text of every worker as the answer of <c>GET /metrics</c>.</summary>
    public async Task WriteMergedAsync(HttpContext context, CancellationToken cancellationToken)
    {
        var own = await LocalTextAsync(cancellationToken);
        var texts = new List<(string, bool)> { (own, true) };
        foreach (var file in Directory.EnumerateFiles(folder, "*" + Extension))
        {
            if (file == _own || file.EndsWith(".tmp", StringComparison.Ordinal))
            {
                continue;
            }
            try
            {
                texts.Add((await File.ReadAllTextAsync(file, cancellationToken), Path.GetFileName(file) != RetiredFile));
            }
            catch (FileNotFoundException)
            {
                // The master folded it into the retired file just now.
            }
        }
        context.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
        await context.Response.WriteAsync(PrometheusMerge.Merge(texts), cancellationToken);
    }

    /// <summary>Folds the snapshot of a worker that exited into the retired file (called by the master only).</summary>
    public static void Retire(string folder, int pid)
    {
        var file = Path.Combine(folder, pid.ToString(CultureInfo.InvariantCulture) + Extension);
        if (!File.Exists(file))
        {
            return;
        }
        var retired = Path.Combine(folder, RetiredFile);
        var texts = new List<(string, bool)> { (File.ReadAllText(file), false) };
        if (File.Exists(retired))
        {
            texts.Insert(0, (File.ReadAllText(retired), false));
        }
        File.WriteAllText(retired + ".tmp", PrometheusMerge.Merge(texts));
        File.Move(retired + ".tmp", retired, overwrite: true);
        File.Delete(file);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await WriteOwnAsync(CancellationToken.None);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        // The last counts of a worker that stops, for the master to retire.
        await WriteOwnAsync(cancellationToken);
    }

    private async Task WriteOwnAsync(CancellationToken cancellationToken)
    {
        if (Scrape is null || !Directory.Exists(folder))
        {
            return;
        }
        try
        {
            await File.WriteAllTextAsync(_own + ".tmp", await LocalTextAsync(cancellationToken), cancellationToken);
            File.Move(_own + ".tmp", _own, overwrite: true);
        }
        catch (IOException)
        {
            // The master removed the folder: it is stopping.
        }
    }

    private async Task<string> LocalTextAsync(CancellationToken cancellationToken)
    {
        var context = new DefaultHttpContext { RequestServices = Services! };
        context.Request.Method = HttpMethods.Get;
        context.Request.Path = "/metrics";
        using var body = new MemoryStream();
        context.Response.Body = body;
        context.RequestAborted = cancellationToken;
        await Scrape!(context);
        return Encoding.UTF8.GetString(body.ToArray());
    }
}
