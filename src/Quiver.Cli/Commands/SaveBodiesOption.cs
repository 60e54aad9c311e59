using System.CommandLine;

namespace Quiver.Cli.Commands;

/// <summary><c>--save-bodies DIR</c>, shared by <c>fetch</c> and <c>crawl</c>: each response body into a file of that folder.</summary>
internal sealed class SaveBodiesOption
{
    public Option<DirectoryInfo?> Option { get; } = new("--save-bodies")
    {
        Description = "Save each response body into this folder",
    };

    /// <summary>The folder's full path, or null when not given; a usage error when it names a file.</summary>
    public string? Read(ParseResult parse)
    {
        if (parse.GetValue(Option) is not { } folder) return null;
        PathChecks.RequireFolder("--save-bodies", folder.FullName);
        return folder.FullName;
    }
}
