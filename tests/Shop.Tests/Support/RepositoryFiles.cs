namespace Shop.Tests.Support;

/// <summary>Files of the repository itself (deploy/, bench/...), found from the test binary's folder.</summary>
public static class RepositoryFiles
{
    private static readonly Lazy<string> RootFolder = new(() =>
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Shop.slnx")))
            {
                return folder.FullName;
            }
        }
        throw new InvalidOperationException($"No Shop.slnx above {AppContext.BaseDirectory}");
    });

    public static string Root => RootFolder.Value;

    /// <summary>The full path of <paramref name="relative"/> (for example <c>deploy/nginx/shop.conf</c>).</summary>
    public static string PathOf(string relative) => Path.Combine(Root, relative);
}
