namespace Quiver.Fetching;

/// <summary>
/// A request that carries its fetch's connection timings to the connect and TLS callbacks, which see
/// it as <see cref="SocketsHttpConnectionContext.InitialRequestMessage"/>. A field on the message costs
/// nothing; <see cref="HttpRequestMessage.Options"/> allocated a dictionary for every request.
/// </summary>
internal sealed class TimedRequestMessage(Uri uri, ConnectionTimings timings) : HttpRequestMessage(HttpMethod.Get, uri)
{
    public ConnectionTimings Timings { get; } = timings;
}
