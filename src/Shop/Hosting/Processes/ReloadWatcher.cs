namespace Shop.Hosting.Processes;

/// <summary>
/// <c>--reload</c>: watches the executable's folder and the config file and asks for the same rolling
/// replacement as HUP once the files have been quiet for a moment (a copy or a publish writes many
/// files, and each write is an event).
/// </summary>
public sealed class ReloadWatcher : IDisposable
{
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(500);

    private readonly List<FileSystemWatcher> _watchers = [];
    private readonly Timer _timer;

    public ReloadWatcher(Action reload)
    {
        _timer = new Timer(_ => reload(), null, Timeout.Infinite, Timeout.Infinite);
        Watch(AppContext.BaseDirectory, "*");
        if (ShopCli.ConfigFile is { } config)
        {
            var path = Path.GetFullPath(config);
            Watch(Path.GetDirectoryName(path)!, Path.GetFileName(path));
        }
    }

    private void Watch(string folder, string filter)
    {
        var watcher = new FileSystemWatcher(folder, filter)
        {
            NotifyFilter = NotifyFilters.LastWrite | NotifyFilters.FileName | NotifyFilters.Size | NotifyFilters.CreationTime,
            IncludeSubdirectories = false,
        };
        watcher.Changed += Changed;
        watcher.Created += Changed;
        watcher.Renamed += Changed;
        watcher.Deleted += Changed;
        watcher.EnableRaisingEvents = true;
        _watchers.Add(watcher);
    }

    private void Changed(object sender, FileSystemEventArgs e) => _timer.Change(Quiet, Timeout.InfiniteTimeSpan);

    public void Dispose()
    {
        _watchers.ForEach(w => w.Dispose());
        _timer.Dispose();
    }
}
