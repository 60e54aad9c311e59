using System.Buffers;
using System.Text;
using System.Text.Json;
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

    /// <summary>
    /// The result's line number, or null when the line is not one whole JSON object with a numeric
    /// <c>line</c>. Read with a token scan rather than by deserialising the result: the repair of a
    /// long file reads every line, and only the key is needed.
    /// </summary>
    private static long? KeyOf(string line)
    {
        byte[] rented = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(line.Length));
        try
        {
            int length = Encoding.UTF8.GetBytes(line, rented);
            var reader = new Utf8JsonReader(rented.AsSpan(0, length));
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return null;
            long? key = null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                bool isKey = reader.ValueTextEquals("line"u8);
                if (!reader.Read()) return null;
                if (isKey && reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out long value)) key = value;
                else reader.Skip();
            }
            // Whole: the object closed and nothing follows it.
            return reader.TokenType == JsonTokenType.EndObject && !reader.Read() ? key : null;
        }
        catch (JsonException)
        {
            return null;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }
}
