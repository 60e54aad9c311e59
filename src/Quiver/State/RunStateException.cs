namespace Quiver.State;

/// <summary>A state file that cannot serve the run asked for: missing on a resume, present on a new run, of the other kind, or incomplete.</summary>
public sealed class RunStateException : Exception
{
    public RunStateException() { }

    public RunStateException(string message) : base(message) { }

    public RunStateException(string message, Exception inner) : base(message, inner) { }
}
