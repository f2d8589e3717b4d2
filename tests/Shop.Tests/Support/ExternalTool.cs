using System.Diagnostics;

namespace Shop.Tests.Support;

/// <summary>
/// Programs from Debian packages that some tests drive (promtool, chromium). Missing one skips the
/// test with a message, except under <c>SHOP_REQUIRE_SERVICES=1</c> (CI), where it fails: CI installs them.
/// </summary>
public static class ExternalTool
{
    public static string Require(string program, string debianPackage)
    {
        var path = (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(folder => Path.Combine(folder, program))
            .FirstOrDefault(File.Exists);
        if (path is not null)
        {
            return path;
        }
        var message = $"{program} is not installed (Debian package '{debianPackage}')";
        if (Environment.GetEnvironmentVariable("SHOP_REQUIRE_SERVICES") == "1")
        {
            Assert.Fail(message + " and SHOP_REQUIRE_SERVICES=1 requires it");
        }
        Assert.Skip(message);
        return "";
    }

    /// <summary>Runs a program to its end (or kills it after <paramref name="timeout"/>) and returns its exit code and output.</summary>
    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(string path, IEnumerable<string> arguments, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(path) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        return await RunAsync(start, timeout);
    }

    /// <summary>
    /// Runs <paramref name="start"/> (standard output and error redirected; standard input, if
    /// redirected, closed at once) to its end, or kills it with its children after
    /// <paramref name="timeout"/> and fails with what it printed.
    /// </summary>
    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(ProcessStartInfo start, TimeSpan timeout)
    {
        using var process = Process.Start(start)!;
        if (start.RedirectStandardInput)
        {
            process.StandardInput.Close();
        }
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            Assert.Fail($"{Path.GetFileName(start.FileName)} {string.Join(' ', start.ArgumentList)} did not finish within {timeout.TotalSeconds} s; it said:\n{await output}{await error}");
        }
        return (process.ExitCode, await output, await error);
    }

    /// <summary>The repository's root folder (the one holding Directory.Packages.props).</summary>
    public static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Directory.Packages.props")))
            {
                return folder.FullName;
            }
        }
        throw new InvalidOperationException("Repository root not found above " + AppContext.BaseDirectory);
    }
}
