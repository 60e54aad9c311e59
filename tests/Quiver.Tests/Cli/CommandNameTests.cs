using Quiver.Tests.Infrastructure;

namespace Quiver.Tests.Cli;

/// <summary>The built CLI names itself <c>quiver</c>, whatever its file is called, and names an unknown command.</summary>
public sealed class CommandNameTests
{
    [Theory]
    [InlineData("--help")]
    [InlineData("fetch", "--help")]
    public async Task Help_SaysQuiver_NotTheAssemblyName(params string[] arguments)
    {
        var outcome = await CliRunner.RunAsync(arguments);

        Assert.Equal(0, outcome.ExitCode);
        string usage = outcome.OutputLines.SkipWhile(line => !line.StartsWith("Usage:", StringComparison.Ordinal)).ElementAt(1).Trim();
        Assert.StartsWith(string.Join(' ', ["quiver", .. arguments.SkipLast(1)]) + " ", usage);
        Assert.DoesNotContain("Quiver.Cli", outcome.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownCommand_IsNamedInOneLine_ExitTwo()
    {
        var outcome = await CliRunner.RunAsync(["fecth", "list.txt"]);

        Assert.Equal(2, outcome.ExitCode);
        string line = Assert.Single(outcome.ErrorLines);
        Assert.Contains("'fecth'", line, StringComparison.Ordinal);
    }
}
