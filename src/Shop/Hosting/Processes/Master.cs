using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Threading.Channels;
using Shop.Infrastructure.Logging;
using Shop.Infrastructure.Metrics;

namespace Shop.Hosting.Processes;

/// <summary>
/// The master of <c>serve --workers N</c>, as gunicorn's arbiter: it holds the listening sockets, starts
/// N workers of this same executable that inherit them (so the accept queue outlives every worker and
/// replacing one drops no connection), replaces a worker that dies or stops beating its heartbeat, and
/// acts on the signals: TERM graceful stop, INT/QUIT quick stop, HUP reload (new workers first, then the
/// old ones stop gracefully), TTIN/TTOU one worker more/fewer, USR1 forwarded to the workers (log reopen).
/// Everything happens on one loop fed by a channel, so the list of workers needs no lock.
/// </summary>
public sealed class Master : IDisposable
{
    private static readonly TimeSpan TickInterval = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan MaxBootDelay = TimeSpan.FromSeconds(30);

    private readonly Func<ShopSettings> _reloadSettings;
    private readonly IReadOnlyList<string> _arguments;
    private readonly Channel<Action> _events = Channel.CreateUnbounded<Action>(new UnboundedChannelOptions { SingleReader = true });
    private readonly List<WorkerProcess> _workers = [];
    private readonly List<Socket> _sockets;
    private readonly string _folder;
    private readonly Serilog.ILogger _log;
    private readonly LogFiles _logFiles;
    private ShopSettings _settings;
    private int _target;
    private int _generation;
    private bool _booted;
    private int _bootFailures;
    private DateTime _nextStart = DateTime.MinValue;
    private Stopping _stopping = Stopping.No;
    private string? _fatal;

    private enum Stopping
    {
        No,
        Graceful,
        Quick,
    }

    private Master(ShopSettings settings, Func<ShopSettings> reloadSettings, IReadOnlyList<string> arguments, List<Socket> sockets, Serilog.ILogger log, LogFiles logFiles)
    {
        _logFiles = logFiles;
        _settings = settings;
        _reloadSettings = reloadSettings;
        _arguments = arguments;
        _sockets = sockets;
        _log = log;
        _target = settings.Workers;
        _folder = Directory.CreateTempSubdirectory("shop-master-").FullName;
    }

    /// <summary>Binds, starts the workers, and runs until stopped; the exit code of <c>serve</c>.</summary>
    /// <param name="logFiles">The master's own log files (<paramref name="log"/> writes them), reopened on USR1.</param>
    /// <param name="onReady">Called once, when the first workers all answer, with the first address.</param>
    public static async Task<int> RunAsync(ShopSettings settings, Func<ShopSettings> reloadSettings, IReadOnlyList<string> arguments,
        Serilog.ILogger log, LogFiles logFiles, Action<string> onReady, CancellationToken cancellationToken)
    {
        ProcessTitle.Set($"{settings.ProcName}: master");
        List<Socket> sockets;
        try
        {
            sockets = ListenSockets.Open(settings.Bind);
        }
        catch (SocketException ex)
        {
            await Console.Error.WriteLineAsync($"shop: error: bind: {string.Join(", ", settings.Bind)}: {ex.Message}");
            return 1;
        }
        using var master = new Master(settings, reloadSettings, arguments, sockets, log, logFiles);
        foreach (var socket in sockets)
        {
            log.Information("Listening at: http://{Address} ({Pid})", ListenSockets.Describe(socket), Environment.ProcessId);
        }
        return await master.LoopAsync(onReady, cancellationToken);
    }

    private async Task<int> LoopAsync(Action<string> onReady, CancellationToken cancellationToken)
    {
        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Handle(() => Stop(Stopping.Graceful, "TERM")));
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Handle(() => Stop(Stopping.Quick, "INT")));
        using var quit = PosixSignalRegistration.Create(PosixSignal.SIGQUIT, Handle(() => Stop(Stopping.Quick, "QUIT")));
        using var hup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, Handle(() => Reload("HUP")));
        using var more = PosixSignalRegistration.Create((PosixSignal)Posix.SigTtin, Handle(() => Resize(+1)));
        using var fewer = PosixSignalRegistration.Create((PosixSignal)Posix.SigTtou, Handle(() => Resize(-1)));
        using var usr1 = PosixSignalRegistration.Create((PosixSignal)Posix.SigUsr1, Handle(ForwardUsr1));
        using var cancelled = cancellationToken.Register(() => Post(() => Stop(Stopping.Graceful, "cancellation")));
        using var reloader = _settings.Reload ? new ReloadWatcher(() => Post(() => Reload("a changed file"))) : null;
        using var ticker = new Timer(_ => Post(Tick), null, TickInterval, TickInterval);
        _log.Information("Master {Pid} starts {Workers} workers", Environment.ProcessId, _target);
        var ready = false;
        await foreach (var action in _events.Reader.ReadAllAsync(CancellationToken.None))
        {
            action();
            if (!ready && _booted)
            {
                ready = true;
                onReady($"http://{ListenSockets.Describe(_sockets[0])}");
            }
            if (_stopping != Stopping.No && _workers.Count == 0)
            {
                break;
            }
        }
        if (_fatal is not null)
        {
            await Console.Error.WriteLineAsync($"shop: error: workers: {_fatal}");
            _log.Fatal("{Problem}; the master stops", _fatal);
            return 1;
        }
        _log.Information("Master {Pid} stopped", Environment.ProcessId);
        return 0;
    }

    private Action<PosixSignalContext> Handle(Action action) => context =>
    {
        context.Cancel = true;
        Post(action);
    };

    private void Post(Action action) => _events.Writer.TryWrite(action);

    /// <summary>Every quarter second: readiness, heartbeats, deadlines, and the number of workers.</summary>
    private void Tick()
    {
        var now = DateTime.UtcNow;
        foreach (var worker in _workers)
        {
            if (!worker.Ready && File.Exists(worker.HeartbeatFile))
            {
                worker.Ready = true;
                _bootFailures = 0;
                _log.Information("Worker {Pid} is ready", worker.Pid);
            }
            if (worker.StopDeadline is { } deadline && now > deadline && !worker.Killed)
            {
                _log.Warning("Worker {Pid} did not stop within graceful_timeout; killing it", worker.Pid);
                worker.Kill();
            }
            else if (worker.StopDeadline is null && _settings.Timeout > TimeSpan.Zero && !worker.Killed
                && now - worker.LastBeat > _settings.Timeout)
            {
                _log.Error("Worker {Pid} sent no heartbeat for {Timeout} s (timeout); killing it", worker.Pid, _settings.Timeout.TotalSeconds);
                worker.Kill();
            }
        }
        if (_stopping != Stopping.No)
        {
            return;
        }
        var current = _workers.Where(w => w.Generation == _generation && w.StopDeadline is null).ToList();
        if (!_booted && current.Count == _target && current.All(w => w.Ready))
        {
            _booted = true;
            _log.Information("{Count} workers are ready", current.Count);
        }
        // A reload (or a resize) is done when the current generation is all there: the rest stop.
        if (current.Count(w => w.Ready) >= _target)
        {
            foreach (var old in _workers.Where(w => w.Generation != _generation && w.StopDeadline is null))
            {
                StopWorker(old, "replaced");
            }
            foreach (var extra in current.OrderBy(w => w.Started).Take(current.Count - _target))
            {
                StopWorker(extra, "one worker fewer (TTOU)");
            }
        }
        if (current.Count < _target && now >= _nextStart)
        {
            for (var i = current.Count; i < _target; i++)
            {
                StartWorker();
            }
        }
    }

    private void StartWorker()
    {
        WorkerProcess worker;
        try
        {
            worker = WorkerProcess.Start(_arguments, _folder, _sockets, _generation);
        }
        catch (Exception ex) when (ex is IOException or System.ComponentModel.Win32Exception)
        {
            _log.Error(ex, "A worker could not be started");
            _nextStart = DateTime.UtcNow + BootDelay(++_bootFailures);
            return;
        }
        _workers.Add(worker);
        _log.Information("Worker {Pid} started", worker.Pid);
        _ = worker.Process.WaitForExitAsync().ContinueWith(_ => Post(() => Exited(worker)), TaskScheduler.Default);
    }

    private void Exited(WorkerProcess worker)
    {
        _workers.Remove(worker);
        var code = worker.Process.ExitCode;
        try
        {
            MetricsSnapshots.Retire(_folder, worker.Pid);
        }
        catch (IOException ex)
        {
            _log.Warning(ex, "The metrics of worker {Pid} could not be kept", worker.Pid);
        }
        File.Delete(worker.HeartbeatFile);
        worker.Dispose();
        if (worker.StopDeadline is not null || _stopping != Stopping.No)
        {
            _log.Information("Worker {Pid} stopped (exit code {Code})", worker.Pid, code);
            return;
        }
        if (!worker.Ready)
        {
            if (!_booted && worker.Generation == 0)
            {
                // The first workers cannot boot: a bad setting or a broken database, not bad luck.
                _fatal = $"worker {worker.Pid} exited with code {code} before it was ready (its error is in the log above or in the log file)";
                Stop(Stopping.Quick, "a worker that cannot boot");
                return;
            }
            var delay = BootDelay(++_bootFailures);
            _nextStart = DateTime.UtcNow + delay;
            _log.Error("Worker {Pid} exited with code {Code} before it was ready; the next start waits {Delay} s", worker.Pid, code, delay.TotalSeconds);
            return;
        }
        _log.Warning("Worker {Pid} exited with code {Code}; starting a new one", worker.Pid, code);
        if (worker.Generation == _generation)
        {
            StartWorker();
        }
    }

    /// <summary>0.5 s after the first failure to boot, doubling up to 30 s, so a broken deployment does not spin.</summary>
    private static TimeSpan BootDelay(int failures) =>
        TimeSpan.FromMilliseconds(Math.Min(MaxBootDelay.TotalMilliseconds, 500 * Math.Pow(2, Math.Min(failures - 1, 10))));

    private void StopWorker(WorkerProcess worker, string why)
    {
        _log.Information("Worker {Pid} stops gracefully ({Why})", worker.Pid, why);
        // The worker's own shutdown timeout (Draining) plus a second: it is killed only once it overran that.
        worker.StopDeadline = DateTime.UtcNow + _settings.GracefulTimeout + Draining.BeforeThePortCloses(_settings) + TimeSpan.FromSeconds(1);
        worker.Signal(Posix.SigTerm);
    }

    private void Stop(Stopping how, string why)
    {
        if (_stopping == Stopping.Quick || _stopping == how)
        {
            return;
        }
        _stopping = how;
        _log.Information("Master {Pid} stops ({How}, {Why})", Environment.ProcessId, how == Stopping.Graceful ? "gracefully" : "quickly", why);
        foreach (var worker in _workers)
        {
            if (how == Stopping.Quick)
            {
                worker.Kill();
            }
            else if (worker.StopDeadline is null)
            {
                StopWorker(worker, why);
            }
        }
        // Workers hold their own copies of the sockets: closing the master's stops nothing they serve.
        foreach (var socket in _sockets)
        {
            socket.Dispose();
        }
        if (_workers.Count == 0)
        {
            Post(() => { });
        }
    }

    private void Reload(string why)
    {
        if (_stopping != Stopping.No)
        {
            return;
        }
        try
        {
            var settings = _reloadSettings();
            if (!settings.Bind.SequenceEqual(_settings.Bind))
            {
                _log.Warning("bind changed in the configuration; the master keeps its sockets ({Bind}): restart to listen elsewhere",
                    string.Join(",", _settings.Bind));
            }
            _settings = settings with { Bind = _settings.Bind };
        }
        catch (SettingsException ex)
        {
            _log.Error("Reload ({Why}) refused: {Problem}; the workers keep running", why, ex.Message);
            return;
        }
        _target = _settings.Workers;
        _generation++;
        _bootFailures = 0;
        _nextStart = DateTime.MinValue;
        _log.Information("Reloading ({Why}): starting {Workers} new workers, then the old ones stop", why, _target);
    }

    private void Resize(int change)
    {
        if (_stopping != Stopping.No)
        {
            return;
        }
        _target = Math.Clamp(_target + change, 1, 64);
        _log.Information("{Change}: {Workers} workers", change > 0 ? "TTIN" : "TTOU", _target);
    }

    private void ForwardUsr1()
    {
        foreach (var problem in _logFiles.Reopen())
        {
            _log.Warning("USR1: a log file could not be opened anew and is written where it was: {Problem}", problem);
        }
        _log.Information("USR1: the master {Pid} reopened its log files; the workers reopen theirs", Environment.ProcessId);
        // A worker still booting opens its files anew, and has no handler yet: USR1 would end it.
        foreach (var worker in _workers.Where(w => w.Ready))
        {
            worker.Signal(Posix.SigUsr1);
        }
    }

    public void Dispose()
    {
        foreach (var worker in _workers)
        {
            worker.Kill();
            worker.Dispose();
        }
        foreach (var socket in _sockets)
        {
            socket.Dispose();
        }
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
