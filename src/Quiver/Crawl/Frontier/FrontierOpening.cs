using Quiver.State;

namespace Quiver.Crawl.Frontier;

/// <summary>What <see cref="ICrawlFrontier.OpenAsync"/> found.</summary>
/// <param name="Done">URLs whose results were committed by earlier runs of this crawl.</param>
/// <param name="Pending">URLs admitted and not done, in admission order: the crawler starts work on their hosts and counts them outstanding.</param>
public sealed record FrontierOpening(long Done, IReadOnlyList<FrontierItem> Pending);
