using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Shop.Hosting;

namespace Shop.Tests.Deploy;

/// <summary>The example settings file and the systemd unit, checked by the programs that read them.</summary>
public sealed partial class DeployFilesTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ExampleConfigLoadsWithEverySettingItNames()
    {
        var folder = Directory.CreateTempSubdirectory("shop-conf-").FullName;
        try
        {
            // The example points at the server's folders; only those are swapped for temporary ones.
            var example = await File.ReadAllTextAsync(RepositoryFiles.PathOf("deploy/shop.conf.example"), Ct);
            var file = Path.Combine(folder, "shop.conf");
            await File.WriteAllTextAsync(file, example.Replace("/var/lib/shop/", folder + "/").Replace("/var/log/shop/", folder + "/"), Ct);

            var settings = SettingsLoader.Load(file, new Dictionary<string, string>(), new Dictionary<string, string?>());

            Assert.Equal(["127.0.0.1:5000"], settings.Bind);
            Assert.Equal(Path.Combine(folder, "shop.db"), settings.Database);
            Assert.Equal(Path.Combine(folder, "access.log"), settings.AccessLogfile);
            Assert.Equal(Path.Combine(folder, "shop.log"), settings.LogFile);
            Assert.Equal("info", settings.LogLevel);
            Assert.Equal(TimeSpan.FromHours(24), settings.SessionTtl);
            Assert.Equal(TimeSpan.FromSeconds(5), settings.DrainDelay);
            // The secret stays out of the settings file (the unit reads it from shop.env).
            Assert.Null(settings.SecretKey);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task SystemdUnitVerifiesAndStaysHardened()
    {
        await using var tool = ExternalServer.Prepare("systemd-analyze");
        var unit = tool.PathOf("shop.service");
        // verify insists that ExecStart's program exists; the published /opt/shop/shop does not here.
        var shipped = await File.ReadAllTextAsync(RepositoryFiles.PathOf("deploy/systemd/shop.service"), Ct);
        Assert.Contains("ExecStart=/opt/shop/shop serve --config /etc/shop/shop.conf", shipped, StringComparison.Ordinal);
        await File.WriteAllTextAsync(unit, shipped.Replace("ExecStart=/opt/shop/shop ", "ExecStart=/usr/bin/env ", StringComparison.Ordinal), Ct);

        var verify = await RunAsync(tool.Binary, "verify", unit);
        var security = await RunAsync(tool.Binary, "security", "--offline=true", unit);

        // verify answers 0 even for a misspelt directive, which it only mentions, so any output is a failure.
        Assert.True(verify.Length == 0, verify);
        var exposure = double.Parse(Exposure().Match(security).Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.True(exposure <= 2.0, $"exposure {exposure} (systemd's scale: 0 safest, 10 unprotected):\n{security}");
    }

    [Fact]
    public async Task TemplateUnitAndTargetVerifyAndTheInstanceStaysHardened()
    {
        await using var tool = ExternalServer.Prepare("systemd-analyze");
        var template = await File.ReadAllTextAsync(RepositoryFiles.PathOf("deploy/systemd/shop@.service"), Ct);
        Assert.Contains("ExecStart=/opt/shop/shop serve --config /etc/shop/shop.conf", template, StringComparison.Ordinal);
        Assert.Contains("Environment=SHOP_BIND=127.0.0.1:%i", template, StringComparison.Ordinal);
        Assert.Contains("WantedBy=shop.target", template, StringComparison.Ordinal);
        // The same stand-in for the published program as for shop.service; an instance is verified
        // as well as the template, so that %i expands as systemd expands it when the unit starts.
        var runnable = template.Replace("ExecStart=/opt/shop/shop ", "ExecStart=/usr/bin/env ", StringComparison.Ordinal);
        await File.WriteAllTextAsync(tool.PathOf("shop@.service"), runnable, Ct);
        await File.WriteAllTextAsync(tool.PathOf("shop@5001.service"), runnable, Ct);
        File.Copy(RepositoryFiles.PathOf("deploy/systemd/shop.target"), tool.PathOf("shop.target"));

        var verify = await RunAsync(tool.Binary, "verify", tool.PathOf("shop@.service"), tool.PathOf("shop@5001.service"), tool.PathOf("shop.target"));
        var security = await RunAsync(tool.Binary, "security", "--offline=true", tool.PathOf("shop@5001.service"));

        Assert.True(verify.Length == 0, verify);
        var exposure = double.Parse(Exposure().Match(security).Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.True(exposure <= 2.0, $"exposure {exposure} (systemd's scale: 0 safest, 10 unprotected):\n{security}");
    }

    private static async Task<string> RunAsync(string program, params string[] arguments)
    {
        var (_, output, error) = await ExternalTool.RunAsync(program, arguments, TimeSpan.FromMinutes(1));
        return (output + error).Trim();
    }

    [GeneratedRegex(@"Overall exposure level for \S+: (\d+\.\d+)")]
    private static partial Regex Exposure();
}
