using System.Text;
using Quiver.State;

namespace Quiver.Output;

/// <summary>
/// Brings a JSON-lines results file back in line with the state file before a resumed run appends
/// to it: a torn last line is cut, lines whose results were never committed (and would be fetched
/// again) or that repeat a kept line are dropped, and committed results missing from the file are
/// added. Afterwards the file holds each committed result exactly once.
/// </summary>
/// <remarks>
/// Streams both sides so a resume of millions of results needs no more memory than a fresh run:
/// the file is read a line at a time, the committed results are read from the database in key order,
/// and what must be remembered in between (which keys are committed, which were kept) is two
/// <see cref="LineSet"/>s of one bit a key.
/// </remarks>
public static class JsonLinesRepair
{
    private const int BufferSize = 64 * 1024;

    /// <summary>What the repair did.</summary>
    public sealed record Outcome(long Kept, long Dropped, long Added, bool TornLineCut);

    /// <summary>Repairs <paramref name="path"/> against the results <paramref name="committed"/> holds.</summary>
    public static Outcome Repair(string path, ICommittedResults committed)
    {
        ArgumentNullException.ThrowIfNull(committed);
        var kept = new LineSet();
        long dropped = 0;
        long added = 0;
        bool torn = false;
        string temporary = path + ".repair";
        using (var output = new StreamWriter(temporary, append: false, new UTF8Encoding(false), BufferSize))
        {
            output.NewLine = "\n";
            if (File.Exists(path))
            {
                var committedKeys = committed.CommittedKeys();
                using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, BufferSize, FileOptions.SequentialScan);
                torn = EndsInsideALine(file);
                using var reader = new StreamReader(file, new UTF8Encoding(false), detectEncodingFromByteOrderMarks: false, BufferSize);
                // One line of look-ahead: when the file ends inside a line, the last line read is that torn piece.
                string? line = reader.ReadLine();
                while (line is not null)
                {
                    string? next = reader.ReadLine();
                    if (next is null && torn) break;
                    if (line.Length > 0)
                    {
                        if (KeyOf(line) is { } key && committedKeys.Contains(key) && kept.Add(key))
                            output.WriteLine(line);
                        else
                            dropped++;
                    }
                    line = next;
                }
            }
            foreach (var (key, json) in committed.ReadCommitted())
            {
                if (kept.Contains(key)) continue;
                output.WriteLine(json);
                added++;
            }
        }
        File.Move(temporary, path, overwrite: true);
        return new Outcome(kept.Count, dropped, added, torn);
    }

    /// <summary>Whether the file's last byte is not a newline (a write cut short), leaving the stream at its start.</summary>
    private static bool EndsInsideALine(FileStream file)
    {
        if (file.Length == 0) return false;
        file.Seek(-1, SeekOrigin.End);
        bool torn = file.ReadByte() != '\n';
        file.Seek(0, SeekOrigin.Begin);
        return torn;
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
