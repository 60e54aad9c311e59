using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Quiver.Cluster.Tests.Infrastructure;

/// <summary>
/// A private, throwaway PostgreSQL server for the cluster tests: initdb into a temporary folder,
/// listening on 127.0.0.1 on a free port (and a unix socket in that folder), stopped and deleted at
/// the end. PostgreSQL refuses to run as root, so as root (CI) it runs as the <c>postgres</c> user
/// Debian's package creates. When PostgreSQL is not installed the tests fail, saying so; none is skipped.
/// </summary>
public sealed class PostgresServer : IAsyncLifetime
{
    private string _root = "";
    private string _data = "";
    private string _bin = "";
    private bool _asPostgres;
    private int _databases;

    /// <summary>The server's administrative connection string (database "postgres").</summary>
    public string ConnectionString { get; private set; } = "";

    public int Port { get; private set; }

    public async Task InitializeAsync()
    {
        _bin = FindBinaries() ?? throw new InvalidOperationException(
            "PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb): the cluster tests need it. " +
            "Install Debian's package: apt-get install postgresql (.ci/run does this).");
        _asPostgres = Environment.UserName == "root";
        _root = Directory.CreateTempSubdirectory("quiver-pg-").FullName;
        _data = Path.Combine(_root, "data");
        if (_asPostgres) await RunAsync("chown", ["postgres:postgres", _root]);
        Port = FreePort();
        await RunPostgresAsync("initdb", ["-D", _data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync", "--no-instructions"]);
        // fsync off: the server is thrown away with the test run, and durability across a power cut is not what is tested.
        string settings = $"-c listen_addresses=127.0.0.1 -p {Port} -k {_root} -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300";
        await RunPostgresAsync("pg_ctl", ["-D", _data, "-o", settings, "-l", Path.Combine(_root, "server.log"), "-w", "-t", "60", "start"]);
        ConnectionString = $"Host=127.0.0.1;Port={Port};Username=postgres;Database=postgres;Timeout=15;Command Timeout=60";
    }

    /// <summary>A new, empty database with the cluster schema, so each test has its own cluster.</summary>
    public async Task<string> CreateClusterDatabaseAsync()
    {
        string name = $"quiver_{Interlocked.Increment(ref _databases)}";
        await using (var connection = new NpgsqlConnection(ConnectionString))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"create database {name}", connection);
            await create.ExecuteNonQueryAsync();
        }
        string database = new NpgsqlConnectionStringBuilder(ConnectionString) { Database = name }.ConnectionString;
        await Schema.ClusterSchema.InitAsync(database);
        return database;
    }

    public async Task DisposeAsync()
    {
        if (_data.Length > 0 && File.Exists(Path.Combine(_data, "postmaster.pid")))
            await RunPostgresAsync("pg_ctl", ["-D", _data, "-m", "immediate", "-w", "stop"]);
        if (_root.Length > 0) Directory.Delete(_root, recursive: true);
    }

    private static string? FindBinaries() =>
        Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql")
                .Select(d => Path.Combine(d, "bin"))
                .Where(b => File.Exists(Path.Combine(b, "initdb")))
                .OrderByDescending(b => int.TryParse(Path.GetFileName(Path.GetDirectoryName(b)), CultureInfo.InvariantCulture, out int v) ? v : 0)
                .FirstOrDefault()
            : null;

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private Task RunPostgresAsync(string tool, IReadOnlyList<string> arguments) =>
        _asPostgres
            ? RunAsync("runuser", ["-u", "postgres", "--", Path.Combine(_bin, tool), .. arguments])
            : RunAsync(Path.Combine(_bin, tool), arguments);

    private static async Task RunAsync(string fileName, IReadOnlyList<string> arguments)
    {
        var start = new ProcessStartInfo(fileName) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{fileName} {string.Join(' ', arguments)} failed ({process.ExitCode}): {await error}{await output}");
    }
}

[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresServer>
{
    public const string Name = "PostgreSQL";
}
