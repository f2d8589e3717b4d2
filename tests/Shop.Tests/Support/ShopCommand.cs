using System.Diagnostics;

namespace Shop.Tests.Support;

/// <summary>Runs the real <c>shop</c> executable (the built shop.dll) as a separate process.</summary>
public static class ShopCommand
{
    public static string Dll => Path.Combine(AppContext.BaseDirectory, "shop.dll");

    public sealed record Result(int ExitCode, string Stdout, string Stderr);

    /// <param name="dll">Another copy of shop.dll to run (<see cref="BuildCopy"/>); the test's build by default.</param>
    public static ProcessStartInfo StartInfo(IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null, string? workingDirectory = null,
        string? dll = null)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Path.GetTempPath(),
        };
        info.ArgumentList.Add(dll ?? Dll);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        // The child sees only the settings a test gives it, never the developer's own SHOP_* variables.
        foreach (var key in info.Environment.Keys.Where(k => k.StartsWith("SHOP_", StringComparison.Ordinal)).ToList())
        {
            info.Environment.Remove(key);
        }
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }
        return info;
    }

    public static async Task<Result> RunAsync(
        IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null, string? stdin = null, string? workingDirectory = null)
    {
        using var process = Process.Start(StartInfo(args, environment, workingDirectory))!;
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
        }
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            // A command that should have stopped (say, a serve with a bad setting that listens
            // instead) must not outlive the failed test.
            process.Kill(entireProcessTree: true);
            throw;
        }
        return new Result(process.ExitCode, await stdout, await stderr);
    }
}
