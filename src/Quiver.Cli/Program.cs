using System.CommandLine;
using Quiver.Cli;
using Quiver.Cli.Commands;

// The cluster commands live in the JIT-built companion: Orleans is not ahead-of-time compatible.
if (ClusterHandOff.Wants(args)) return await ClusterHandOff.RunAsync(args);

// A named root rather than RootCommand, whose name is the executable's file name: run through
// `dotnet run` or as Quiver.Cli.dll, help would say "Quiver.Cli" where users type "quiver".
var root = new Command("quiver", "Quiver fetches very large URL lists and measures which concurrency model serves them best.")
{
    new System.CommandLine.Help.HelpOption(),
    new VersionOption(),
    FetchCommand.Create(),
    CrawlCommand.Create(),
    SimCommand.Create(),
    RaceCommand.Create(),
    RaceRunCommand.Create(),
    WorkerCommand.Create(),
};
return await CliHost.RunAsync(root, args);
