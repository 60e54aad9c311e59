using Quiver.Fetching;
using Quiver.Output;
using Quiver.State;

namespace Quiver.Tests.Output;

public sealed class JsonLinesRepairTests
{
    private static string Line(long line) => JsonLinesResultWriter.ToJson(new FetchResult { Line = line, Url = $"http://example.com/{line}", Status = 200 });

    [Fact]
    public void Repair_cuts_a_torn_line_drops_uncommitted_and_duplicate_lines_and_restores_missing_ones()
    {
        string path = Path.GetTempFileName();
        try
        {
            // 1 and 2 committed and written; 3 written but never committed; 2 written twice; 4 committed
            // but absent; the last line torn by the kill.
            File.WriteAllText(path, $"{Line(1)}\n{Line(2)}\n{Line(3)}\n{Line(2)}\n{Line(5)[..20]}");
            using var database = StateDatabase.Open(":memory:");
            var committed = new FetchProgress(database);
            committed.Commit([(1, Line(1)), (2, Line(2)), (4, Line(4))], warcLength: null);

            var outcome = JsonLinesRepair.Repair(path, committed);

            Assert.Equal([Line(1), Line(2), Line(4)], File.ReadAllLines(path));
            Assert.True(outcome.TornLineCut);
            Assert.Equal(2, outcome.Dropped);
            Assert.Equal(1, outcome.Added);
            Assert.EndsWith("\n", File.ReadAllText(path), StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Repair_keeps_only_whole_objects_with_a_numeric_line_wherever_the_line_field_stands()
    {
        string path = Path.GetTempFileName();
        try
        {
            string reordered = $"{{\"url\":\"http://example.com/3\",\"status\":200,\"line\":3}}";
            File.WriteAllText(path, string.Join('\n',
                Line(1)[..^5],              // cut short in the middle of the file
                Line(2) + "{}",             // something after the object
                "{\"line\":\"4\"}",         // the line number as a string
                reordered,                  // the key after other fields: still a result
                "not json at all") + "\n");
            using var database = StateDatabase.Open(":memory:");
            var committed = new FetchProgress(database);
            committed.Commit([(1, Line(1)), (2, Line(2)), (3, reordered), (4, Line(4))], warcLength: null);

            var outcome = JsonLinesRepair.Repair(path, committed);

            Assert.Equal([reordered, Line(1), Line(2), Line(4)], File.ReadAllLines(path));
            Assert.Equal(new JsonLinesRepair.Outcome(Kept: 1, Dropped: 4, Added: 3, TornLineCut: false), outcome);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
