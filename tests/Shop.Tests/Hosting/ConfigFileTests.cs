using System.Collections;
using Shop.Hosting;

namespace Shop.Tests.Hosting;

/// <summary>The settings file in gunicorn's form (Python literals, its names) and Shop's INI-style form.</summary>
public sealed class ConfigFileTests : IDisposable
{
    /// <summary>The config file the seed is deployed with, as it is.</summary>
    public const string SeedGunConf = "bind = '127.0.0.1:5078'\nworkers = 1\nproc_name = 'app'\npidfile = '/tmp/app.pid'\n";

    private readonly TempFolder _temp = new();

    private ShopSettings Load(string text)
    {
        var path = _temp.File("gun.conf");
        File.WriteAllText(path, text);
        return SettingsLoader.Load(path, new Hashtable(), new Dictionary<string, string?>());
    }

    [Fact]
    public void TheSeedsGunConfIsReadAsItIs()
    {
        var settings = Load(SeedGunConf);

        Assert.Equal(["127.0.0.1:5078"], settings.Bind);
        Assert.Equal(1, settings.Workers);
        Assert.Equal("app", settings.ProcName);
        Assert.Equal("/tmp/app.pid", settings.Pidfile);
    }

    [Theory]
    [InlineData("bind = \"127.0.0.1:5001\"", "127.0.0.1:5001")]
    [InlineData("bind = ['127.0.0.1:5001', \"127.0.0.1:5002\"]  # two", "127.0.0.1:5001,127.0.0.1:5002")]
    [InlineData("bind = ('127.0.0.1:5001',)", "127.0.0.1:5001")]
    [InlineData("bind = 127.0.0.1:5001", "127.0.0.1:5001")]
    [InlineData("bind = 127.0.0.1:5001   # loopback only", "127.0.0.1:5001")]
    [InlineData("  bind='127.0.0.1:5001'#no spaces", "127.0.0.1:5001")]
    public void StringsListsAndBareValuesAreRead(string line, string bind) =>
        Assert.Equal(bind.Split(','), Load($"# a comment\n; another\n\n{line}\n").Bind);

    [Fact]
    public void IntegersBooleansAndGunicornsNamesAreRead()
    {
        var settings = Load("""
            workers = 4  # the seed's -w 4
            timeout = 60
            graceful_timeout = 1_0
            max_requests = 1000
            max_requests_jitter = 50
            daemon = False
            reload = True
            accesslog = '-'
            errorlog = '/tmp/error.log'
            loglevel = 'warning'
            """);

        Assert.Equal(4, settings.Workers);
        Assert.Equal(TimeSpan.FromSeconds(60), settings.Timeout);
        Assert.Equal(TimeSpan.FromSeconds(10), settings.GracefulTimeout);
        Assert.Equal(1000, settings.MaxRequests);
        Assert.Equal(50, settings.MaxRequestsJitter);
        Assert.False(settings.Daemon);
        Assert.True(settings.Reload);
        Assert.Equal("-", settings.AccessLogfile);
        Assert.Equal("/tmp/error.log", settings.LogFile);
        Assert.Equal("warning", settings.LogLevel);
    }

    [Theory]
    [InlineData("", 20)]
    [InlineData("cache_lag_ms = 0\n", 0)]
    [InlineData("cache_lag_ms = 50\n", 50)]
    public void TheCacheLagIsTwentyMillisecondsUnlessSetFromZeroToFifty(string file, int milliseconds) =>
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), Load(file).CacheLag);

    [Fact]
    public void GunicornsErrorlogDashIsStandardErrorAsInGunicorn() => Assert.Null(Load("errorlog = '-'\n").LogFile);

    [Fact]
    public void ALaterLineWinsAsInPython() => Assert.Equal(3, Load("workers = 2\nworkers = 3\n").Workers);

    [Theory]
    [InlineData("workers = 'many'", "workers: must be an integer from 1 to 64 (got 'many')")]
    [InlineData("timeout = -1", "timeout: must be an integer from 0 to 86400 (got '-1')")]
    [InlineData("cache_lag_ms = 51", "cache_lag_ms: must be an integer from 0 to 50 (got '51')")]
    [InlineData("daemon = 'sometimes'", "daemon: must be true or false (got 'sometimes')")]
    [InlineData("worker_class = 'gevent'", "worker_class: is not a setting")]
    [InlineData("bind = '127.0.0.1:5078", "line 1 has a string without its closing '")]
    [InlineData("workers = multiprocessing.cpu_count() * 2 + 1", "workers: must be an integer")]
    [InlineData("workers = 2 * 2", "line 1 has '* 2' after its value")]
    [InlineData("just some words", "line 1 is not 'name = value'")]
    public void ABadLineNamesTheSettingOrTheLine(string line, string message)
    {
        var error = Assert.Throws<SettingsException>(() => Load(line + "\n"));
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    public void Dispose() => _temp.Dispose();
}
