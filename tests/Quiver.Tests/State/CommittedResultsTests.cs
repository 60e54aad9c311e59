using Quiver.Fetching;
using Quiver.Output;
using Quiver.State;

namespace Quiver.Tests.State;

/// <summary>What both kinds of state file give a repair: committed keys only, results streamed in key order.</summary>
public sealed class CommittedResultsTests
{
    private static string Json(long key) => JsonLinesResultWriter.ToJson(new FetchResult { Line = key, Url = $"http://127.0.0.1/{key}", Status = 200 });

    private static FrontierItem Item(long id) => new(id, new Uri($"http://127.0.0.1/{id}"), 1, null);

    [Fact]
    public void Crawl_state_gives_the_finished_pages_only_in_id_order()
    {
        using var database = StateDatabase.Open(":memory:");
        var state = new CrawlState(database);
        state.Commit([Item(1), Item(2), Item(3), Item(4), Item(5)], [], warcLength: null);
        // Finished out of admission order, as concurrent fetches finish; 2 and 4 still pending.
        state.Commit([], [(5, Json(5)), (1, Json(1)), (3, Json(3))], warcLength: null);

        Assert.Equal([1L, 3, 5], state.CommittedKeys());
        Assert.Equal([(1L, Json(1)), (3L, Json(3)), (5L, Json(5))], state.ReadCommitted());
    }

    [Fact]
    public void Fetch_progress_gives_the_committed_lines_in_line_order()
    {
        using var database = StateDatabase.Open(":memory:");
        var progress = new FetchProgress(database);
        progress.Commit([(7, Json(7)), (2, Json(2))], warcLength: null);
        progress.Commit([(4, Json(4))], warcLength: null);

        Assert.Equal([2L, 4, 7], progress.CommittedKeys());
        Assert.Equal([(2L, Json(2)), (4L, Json(4)), (7L, Json(7))], progress.ReadCommitted());
        Assert.True(progress.CompletedLines().Contains(7));
        Assert.False(progress.CompletedLines().Contains(3));
    }

    [Fact]
    public void Repair_against_a_crawl_state_keeps_finished_pages_once_and_drops_pending_ones()
    {
        string path = Path.GetTempFileName();
        try
        {
            using var database = StateDatabase.Open(":memory:");
            var state = new CrawlState(database);
            state.Commit([Item(1), Item(2), Item(3)], [(3, Json(3)), (1, Json(1))], warcLength: null);
            // Output in completion order; 2 written but its commit lost to the kill; 3 written twice.
            File.WriteAllText(path, $"{Json(3)}\n{Json(2)}\n{Json(3)}\n");

            var outcome = JsonLinesRepair.Repair(path, state);

            Assert.Equal([Json(3), Json(1)], File.ReadAllLines(path));
            Assert.Equal(new JsonLinesRepair.Outcome(Kept: 1, Dropped: 2, Added: 1, TornLineCut: false), outcome);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
