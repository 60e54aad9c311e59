namespace Quiver.Fetching;

/// <summary>
/// Thrown from the connect callback when the TCP connect outlives <see cref="FetchOptions.ConnectTimeout"/>.
/// Deliberately not an <see cref="OperationCanceledException"/>, so that the handler reports it as a
/// connection failure rather than as the caller's cancellation.
/// </summary>
public sealed class ConnectTimeoutException : IOException
{
    public ConnectTimeoutException() { }
    public ConnectTimeoutException(string message) : base(message) { }
    public ConnectTimeoutException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>Thrown while reading a body that exceeds <see cref="FetchOptions.MaxBodyBytes"/>.</summary>
public sealed class BodyTooLargeException : IOException
{
    public BodyTooLargeException() { }
    public BodyTooLargeException(string message) : base(message) { }
    public BodyTooLargeException(string message, Exception inner) : base(message, inner) { }
}
