using System.CommandLine;
using Quiver.Cli;
using Quiver.Cli.Commands;

var root = new RootCommand("Quiver fetches very large URL lists and measures which concurrency model serves them best.")
{
    FetchCommand.Create(),
    CrawlCommand.Create(),
    SimCommand.Create(),
    RaceCommand.Create(),
    RaceRunCommand.Create(),
    WorkerCommand.Create(),
};
return await CliHost.RunAsync(root, args);
