namespace FlexyPe.Recovery.Testing;

public static class Repository
{
    /// <summary>The checkout this test assembly was built from (the folder holding FlexyPe.Recovery.sln).</summary>
    public static string Root { get; } = Find();

    private static string Find()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "FlexyPe.Recovery.sln")))
            {
                return directory.FullName;
            }
        }
        throw new InvalidOperationException("FlexyPe.Recovery.sln not found above " + AppContext.BaseDirectory);
    }
}
