namespace Quiver.Tests.Infrastructure;

/// <summary>The checkout the tests were built from: the folder above the test assembly that holds Quiver.slnx.</summary>
public static class RepositoryRoot
{
    public static string Path { get; } = Find();

    private static string Find()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(folder.FullName, "Quiver.slnx"))) return folder.FullName;
        }
        throw new InvalidOperationException("Quiver.slnx not found above the test folder");
    }
}
