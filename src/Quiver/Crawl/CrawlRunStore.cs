using System.Text.Json;
using Quiver.State;

namespace Quiver.Crawl;

/// <summary>What a crawl keeps in its <see cref="RunStore"/> beyond results: the settings that make a resume continue the same crawl.</summary>
public static class CrawlRunStore
{
    /// <summary>
    /// The settings of the crawl the store serves: a new crawl records <paramref name="newCrawl"/>; a
    /// resumed one reads what it recorded (and <paramref name="newCrawl"/> must be null, since a
    /// resume continues the crawl whatever it is asked).
    /// </summary>
    /// <exception cref="RunStateException">A resumed state file holds no crawl settings.</exception>
    public static CrawlSettings OpenCrawl(this RunStore store, CrawlSettings? newCrawl)
    {
        ArgumentNullException.ThrowIfNull(store);
        if (newCrawl is null)
        {
            return JsonSerializer.Deserialize(store.RecordedCrawlSettings ?? "null", CrawlJsonContext.Default.CrawlSettings)
                ?? throw new RunStateException($"{store.Path} holds no crawl settings");
        }
        store.RecordCrawlSettings(JsonSerializer.Serialize(newCrawl, CrawlJsonContext.Default.CrawlSettings));
        return newCrawl;
    }
}
