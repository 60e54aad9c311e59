namespace Quiver.SimWeb;

/// <summary>The least time one URL can take against the sim: its whole redirect chain, new connections included.</summary>
/// <param name="Url">The URL as listed.</param>
/// <param name="Time">Time until the last byte (or the failure), capped at the client's timeout.</param>
/// <param name="Requests">Requests the chain makes (1 + redirects followed).</param>
/// <param name="TimedOut">The chain outlasts the client's timeout (a hanging or very slow site).</param>
/// <param name="Outcome">What the client ends with: "200", a status, or a failure kind.</param>
public sealed record UrlCost(Uri Url, TimeSpan Time, int Requests, bool TimedOut, string Outcome);
