namespace Shop.Tests.Support;

/// <summary>A temporary folder, deleted on dispose: for files that outlive one <see cref="ShopApp"/> (a database reused after a restart).</summary>
public sealed class TempFolder : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("shop-test-").FullName;

    /// <summary>A path for a file inside the folder.</summary>
    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
