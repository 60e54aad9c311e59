using System.CommandLine;
using Quiver.Cluster.Schema;

namespace Quiver.Cluster.Cli.Commands;

/// <summary><c>quiver cluster init --db CONN</c>: Quiver's tables: membership, frontier, results and host epochs.</summary>
internal static class InitCommand
{
    public static Command Create()
    {
        var db = CommonOptions.Database();
        var command = new Command("init", "Create the cluster's tables in a PostgreSQL database (safe to run again)") { db };
        command.SetAction(async (parse, cancellationToken) =>
        {
            await ClusterSchema.InitAsync(parse.GetValue(db)!, cancellationToken);
            Console.Error.WriteLine("quiver: cluster schema ready");
            return CompanionHost.Ok;
        });
        return command;
    }
}
