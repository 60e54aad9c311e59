using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Quiver.Fetching;
using Quiver.Input;
using Quiver.Output;

namespace Quiver.Strategies;

/// <summary>
/// The worker side of the processes models (behind <c>quiver worker</c>): reads the startup line,
/// then URLs from stdin, fetches them with the async engine at the concurrency it was given (1 for
/// the processes model), and writes one JSON result line per URL to stdout as each finishes.
/// </summary>
public static class WorkerHost
{
    public static async Task<int> RunAsync(Stream input, Stream output, CancellationToken cancellationToken = default)
    {
        using var reader = new StreamReader(input, new UTF8Encoding(false), false, 64 * 1024, leaveOpen: true);
        string? first = await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false);
        if (first is null) return 0;
        var startup = JsonSerializer.Deserialize(first, QuiverJsonContext.Lines.WorkerStartup)
            ?? throw new InvalidDataException("worker startup line is empty");

        using var strategy = new AsyncStrategy(new Fetcher(startup.Fetch), Math.Max(1, startup.Concurrency));
        var writer = new StreamWriter(output, new UTF8Encoding(false), 16 * 1024, leaveOpen: true);
        await using (writer.ConfigureAwait(false))
        {
            await foreach (var result in strategy.RunAsync(ReadItemsAsync(reader, cancellationToken), cancellationToken).ConfigureAwait(false))
            {
                await writer.WriteLineAsync(JsonLinesResultWriter.ToJson(result).AsMemory(), cancellationToken).ConfigureAwait(false);
                // The parent waits on each line (it tracks what each worker holds), so no result may sit in a buffer.
                await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        return 0;
    }

    private static async IAsyncEnumerable<UrlRequest> ReadItemsAsync(StreamReader reader, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            var item = JsonSerializer.Deserialize(line, QuiverJsonContext.Lines.WorkerItem)
                ?? throw new InvalidDataException("worker item line is empty");
            yield return UrlRequest.FromLine(item.Line, item.Text);
        }
    }
}
