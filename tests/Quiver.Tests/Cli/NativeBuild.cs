using Quiver.Tests.Infrastructure;

namespace Quiver.Tests.Cli;

/// <summary>
/// The CLI as <c>dotnet publish</c> makes it: a native (ahead-of-time compiled) executable, built once
/// for the tests that use it. It is published from a copy of the sources in a temporary folder, so that
/// it neither reads nor disturbs the build outputs of the checkout the tests run from.
/// </summary>
public sealed class NativeBuild : IAsyncLifetime
{
    private static readonly string[] CopiedFiles = ["Directory.Build.props", "Directory.Packages.props", ".editorconfig"];
    private static readonly string[] CopiedFolders = ["src", "data"];

    private readonly string _folder = Directory.CreateTempSubdirectory("quiver-native-").FullName;

    /// <summary>The published executable.</summary>
    public string Executable => Path.Combine(_folder, "out", "quiver");

    public async Task InitializeAsync()
    {
        foreach (string file in CopiedFiles)
            File.Copy(Path.Combine(RepositoryRoot.Path, file), Path.Combine(_folder, file));
        foreach (string folder in CopiedFolders)
            CopySources(new DirectoryInfo(Path.Combine(RepositoryRoot.Path, folder)), Path.Combine(_folder, folder));

        var publish = await CliRunner.RunAsync(
            ["publish", "src/Quiver.Cli", "-c", "Release", "-o", "out", "-nologo"],
            timeout: TimeSpan.FromMinutes(10), workingDirectory: _folder, executable: "dotnet");
        if (publish.ExitCode != 0 || !File.Exists(Executable))
        {
            string output = publish.StandardOutput + publish.StandardError;
            string hint = output.Contains("clang", StringComparison.OrdinalIgnoreCase) ? " (a native build needs clang and zlib: apt-get install clang zlib1g-dev)" : "";
            throw new InvalidOperationException($"dotnet publish of the native CLI failed{hint}:\n{output}");
        }
    }

    public Task DisposeAsync()
    {
        Directory.Delete(_folder, recursive: true);
        return Task.CompletedTask;
    }

    /// <summary>Copies a source folder without its build outputs.</summary>
    private static void CopySources(DirectoryInfo source, string target)
    {
        Directory.CreateDirectory(target);
        foreach (var file in source.EnumerateFiles())
            file.CopyTo(Path.Combine(target, file.Name));
        foreach (var folder in source.EnumerateDirectories())
        {
            if (folder.Name is "bin" or "obj") continue;
            CopySources(folder, Path.Combine(target, folder.Name));
        }
    }
}
