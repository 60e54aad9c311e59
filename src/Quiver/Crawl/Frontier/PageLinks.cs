using Quiver.State;

namespace Quiver.Crawl.Frontier;

/// <summary>What one finished page offers the frontier (see <see cref="ICrawlFrontier.AdmitAsync"/>).</summary>
/// <param name="Page">The page, as the frontier leased it.</param>
/// <param name="FinalUrl">Where the page ended after the redirects the fetcher followed on its host; null when it was not fetched.</param>
/// <param name="RedirectTo">A redirect to another host that the fetcher did not follow, to be admitted for that host; null otherwise.</param>
/// <param name="Links">The normalised links the page allows following (empty for a failed page or a nofollow one).</param>
public sealed record PageLinks(FrontierItem Page, string? FinalUrl, string? RedirectTo, IReadOnlyList<Uri> Links);
