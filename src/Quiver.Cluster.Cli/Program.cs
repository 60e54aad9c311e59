using System.CommandLine;
using Quiver.Cluster.Cli;
using Quiver.Cluster.Cli.Commands;

// The same words as `quiver`: quiver hands these commands over unchanged.
var root = new Command("quiver", "Quiver on a cluster: Orleans silos sharing a PostgreSQL frontier (quiver-cluster).")
{
    new System.CommandLine.Help.HelpOption(),
    new Command("cluster", "Run and inspect the cluster")
    {
        InitCommand.Create(),
        SiloCommand.Create(),
        StatusCommand.Create(),
    },
    JobCommand.Create(Quiver.Cluster.Jobs.JobKind.Crawl),
    JobCommand.Create(Quiver.Cluster.Jobs.JobKind.Fetch),
};
return await CompanionHost.RunAsync(root, args);
