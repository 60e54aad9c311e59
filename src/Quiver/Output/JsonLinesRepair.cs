using System.Text;

namespace Quiver.Output;

/// <summary>
/// Brings a JSON-lines results file back in line with the state file before a resumed run appends
/// to it: a torn last line is cut, lines whose results were never committed (and would be fetched
/// again) or that repeat a kept line are dropped, and committed results missing from the file are
/// added. Afterwards the file holds each committed result exactly once.
/// </summary>
public static class JsonLinesRepair
{
    /// <summary>What the repair did.</summary>
    public sealed record Outcome(long Kept, long Dropped, long Added, bool TornLineCut);

    /// <summary>Repairs <paramref name="path"/> against <paramref name="committed"/> (result JSON by line key).</summary>
    public static Outcome Repair(string path, IReadOnlyDictionary<long, string> committed)
    {
        ArgumentNullException.ThrowIfNull(committed);
        var kept = new HashSet<long>();
        long dropped = 0;
        long added = 0;
        bool torn = false;
        string temporary = path + ".repair";
        using (var output = new StreamWriter(temporary, append: false, new UTF8Encoding(false), 64 * 1024))
        {
            output.NewLine = "\n";
            if (File.Exists(path))
            {
                byte[] content = File.ReadAllBytes(path);
                int end = content.AsSpan().LastIndexOf((byte)'\n') + 1;
                torn = end < content.Length;
                foreach (string line in Encoding.UTF8.GetString(content, 0, end).Split('\n'))
                {
                    if (line.Length == 0) continue;
                    if (KeyOf(line) is { } key && committed.ContainsKey(key) && kept.Add(key))
                        output.WriteLine(line);
                    else
                        dropped++;
                }
            }
            foreach (var (key, json) in committed.OrderBy(p => p.Key))
            {
                if (kept.Contains(key)) continue;
                output.WriteLine(json);
                added++;
            }
        }
        File.Move(temporary, path, overwrite: true);
        return new Outcome(kept.Count, dropped, added, torn);
    }

    private static long? KeyOf(string line)
    {
        try
        {
            return JsonLinesResultWriter.FromJson(line).Line;
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
