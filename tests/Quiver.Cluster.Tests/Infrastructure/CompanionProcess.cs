using System.Collections.Concurrent;
using System.Diagnostics;

namespace Quiver.Cluster.Tests.Infrastructure;

/// <summary>A <c>quiver-cluster</c> (or <c>quiver</c>) process started by a test: its stderr kept, waited for a line, killed with SIGKILL.</summary>
internal sealed class CompanionProcess : IDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _stderr = new();
    private readonly ConcurrentQueue<string> _stdout = new();
    private readonly TaskCompletionSource<bool> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<(string Text, TaskCompletionSource Seen)> _waits = [];

    private CompanionProcess(ProcessStartInfo start)
    {
        _process = new Process { StartInfo = start, EnableRaisingEvents = true };
        _process.ErrorDataReceived += (_, e) => OnLine(_stderr, e.Data);
        _process.OutputDataReceived += (_, e) => OnLine(_stdout, e.Data);
        _process.Exited += (_, _) => _exited.TrySetResult(true);
        _process.Start();
        _process.BeginErrorReadLine();
        _process.BeginOutputReadLine();
    }

    /// <summary>
    /// The built quiver-cluster.dll, in its own build folder: the copy beside the tests would run
    /// against the tests' dependencies (ASP.NET Core's shared framework), not its own.
    /// </summary>
    public static string CompanionDll => BuildOutput("Quiver.Cluster.Cli", "quiver-cluster.dll");

    /// <summary>quiver (the JIT build) in its own build folder, which the companion is not copied to.</summary>
    public static string QuiverDll => BuildOutput("Quiver.Cli", "Quiver.Cli.dll");

    /// <summary>tests/Quiver.Cluster.Tests/bin/CONFIG/FRAMEWORK/ → src/PROJECT/bin/CONFIG/FRAMEWORK/FILE.</summary>
    private static string BuildOutput(string project, string file)
    {
        var tests = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        string framework = tests.Name, configuration = tests.Parent!.Name;
        string root = tests.Parent!.Parent!.Parent!.Parent!.Parent!.FullName;
        return Path.Combine(root, "src", project, "bin", configuration, framework, file);
    }

    /// <summary>Runs the companion with <paramref name="arguments"/> through the dotnet host running the tests.</summary>
    public static CompanionProcess Start(IEnumerable<string> arguments) => StartDll(CompanionDll, arguments);

    public static CompanionProcess StartDll(string dll, IEnumerable<string> arguments, IDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(dll);
        foreach (string argument in arguments) start.ArgumentList.Add(argument);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) start.Environment[name] = value;
        return new CompanionProcess(start);
    }

    public string Stderr => string.Join('\n', _stderr);

    public string Stdout => string.Join('\n', _stdout);

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>Completes when a line of stderr contains <paramref name="text"/>; fails if the process exits first.</summary>
    public async Task WaitForStderrAsync(string text, TimeSpan timeout)
    {
        var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_waits)
        {
            if (_stderr.Any(l => l.Contains(text, StringComparison.Ordinal))) return;
            _waits.Add((text, seen));
        }
        var first = await Task.WhenAny(seen.Task, _exited.Task).WaitAsync(timeout);
        if (first != seen.Task) throw new InvalidOperationException($"exited ({_process.ExitCode}) before printing '{text}': {Stderr}");
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        await _process.WaitForExitAsync().WaitAsync(timeout);
        _process.WaitForExit(); // drains the redirected streams
        return _process.ExitCode;
    }

    /// <summary>SIGKILL: no cleanup runs in the process.</summary>
    public void KillHard()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    private void OnLine(ConcurrentQueue<string> lines, string? line)
    {
        if (line is null) return;
        lines.Enqueue(line);
        lock (_waits)
        {
            foreach (var wait in _waits.Where(w => line.Contains(w.Text, StringComparison.Ordinal))) wait.Seen.TrySetResult();
        }
    }

    public void Dispose()
    {
        KillHard();
        _process.Dispose();
    }
}
