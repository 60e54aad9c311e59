using System.Diagnostics;

namespace Quiver.Tests.Crawl;

/// <summary>The built <c>quiver</c> CLI run as a real child process, so that it can be killed with SIGKILL.</summary>
internal sealed class CliProcess : IDisposable
{
    private readonly Process _process;
    private readonly System.Text.StringBuilder _stderr = new();

    private CliProcess(Process process) => _process = process;

    public static CliProcess Start(IEnumerable<string> arguments, string workingDirectory)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Quiver.Cli.dll"));
        foreach (string argument in arguments) start.ArgumentList.Add(argument);
        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start the CLI");
        var cli = new CliProcess(process);
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (cli._stderr) cli._stderr.AppendLine(e.Data);
            }
        };
        process.OutputDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        process.StandardInput.Close();
        return cli;
    }

    public bool HasExited => _process.HasExited;

    public string StandardError
    {
        get
        {
            lock (_stderr) return _stderr.ToString();
        }
    }

    /// <summary>SIGINT, as Ctrl-C in a terminal: the run should stop gracefully.</summary>
    public async Task InterruptAsync()
    {
        using var kill = Process.Start("kill", ["-INT", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!;
        await kill.WaitForExitAsync();
    }

    /// <summary>SIGKILL: no handler runs, nothing is flushed or committed.</summary>
    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    public async Task<int> WaitAsync(TimeSpan limit)
    {
        using var timeout = new CancellationTokenSource(limit);
        await _process.WaitForExitAsync(timeout.Token);
        return _process.ExitCode;
    }

    /// <summary>Polls <paramref name="reached"/> (real progress, e.g. lines in the output) until it holds; false if the process ended first.</summary>
    public async Task<bool> WaitUntilAsync(Func<bool> reached, TimeSpan limit)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < limit)
        {
            if (reached()) return true;
            if (_process.HasExited) return reached();
            await Task.Delay(5);
        }
        throw new TimeoutException($"no progress within {limit}: {StandardError}");
    }

    /// <summary>Complete lines in a file that another process is writing.</summary>
    public static int CountLines(string path)
    {
        if (!File.Exists(path)) return 0;
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        int count = 0;
        var buffer = new byte[64 * 1024];
        int read;
        while ((read = stream.Read(buffer)) > 0) count += buffer.AsSpan(0, read).Count((byte)'\n');
        return count;
    }

    public void Dispose()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.Dispose();
    }
}
