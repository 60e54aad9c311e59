using Quiver.Fetching;
using Quiver.Output;

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
            var committed = new Dictionary<long, string> { [1] = Line(1), [2] = Line(2), [4] = Line(4) };

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
}
