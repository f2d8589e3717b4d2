namespace Shop.Tests.Support;

/// <summary>
/// A copy of the built executable (every file beside shop.dll) in a folder of its own, for tests that
/// change the executable's files as a deployment does — a new build written into place, a copy cut
/// off halfway — without touching the build every other test runs.
/// </summary>
public sealed class BuildCopy
{
    private BuildCopy(string folder) => Folder = folder;

    public string Folder { get; }
    public string Dll => Path.Combine(Folder, "shop.dll");
    private string Good => Path.Combine(Folder, "shop.dll.good");

    /// <summary>Copies the test's build into <paramref name="parent"/>/build.</summary>
    public static BuildCopy Create(string parent)
    {
        var source = AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar);
        var folder = Path.Combine(parent, "build");
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(folder, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
        File.Copy(Path.Combine(folder, "shop.dll"), Path.Combine(folder, "shop.dll.good"));
        return new BuildCopy(folder);
    }

    /// <summary>
    /// Puts in place a shop.dll cut off after its first 4 KiB (a deployment that stopped halfway).
    /// Renamed over the old one, as a deployment does: a process that loaded the old file keeps it.
    /// </summary>
    public void Break()
    {
        var bytes = File.ReadAllBytes(Good);
        File.WriteAllBytes(Dll + ".new", bytes[..4096]);
        File.Move(Dll + ".new", Dll, overwrite: true);
    }

    /// <summary>Writes the whole shop.dll anew and renames it into place: a new build deployed.</summary>
    public void Deploy()
    {
        File.Copy(Good, Dll + ".new", overwrite: true);
        File.Move(Dll + ".new", Dll, overwrite: true);
    }

    /// <summary>Whether process <paramref name="pid"/> has this copy's shop.dll mapped (it has loaded it).</summary>
    public bool LoadedBy(int pid)
    {
        try
        {
            return File.ReadLines($"/proc/{pid}/maps").Any(line => line.EndsWith(" " + Dll, StringComparison.Ordinal));
        }
        catch (IOException)
        {
            return false;
        }
    }
}
