using Quiver.Fetching;

namespace Quiver.Output;

/// <summary>Writes results as they finish. Implementations buffer; <see cref="FlushAsync"/> makes them durable.</summary>
public interface IResultWriter : IAsyncDisposable
{
    ValueTask WriteAsync(FetchResult result, CancellationToken cancellationToken = default);

    ValueTask FlushAsync(CancellationToken cancellationToken = default);
}

/// <summary>The output formats <c>--format</c> offers.</summary>
public enum OutputFormat
{
    JsonLines,
    Csv,
}

/// <summary>Creates writers.</summary>
public static class ResultWriters
{
    /// <summary>
    /// A writer for <paramref name="format"/> onto <paramref name="stream"/>, which it leaves open unless told otherwise.
    /// <paramref name="withConcurrency"/>: the CSV gets a last column, <c>concurrency</c> (JSON lines write the field whenever it is set).
    /// </summary>
    public static IResultWriter Create(OutputFormat format, Stream stream, bool ownsStream = false, bool withConcurrency = false) => format switch
    {
        OutputFormat.JsonLines => new JsonLinesResultWriter(stream, ownsStream),
        OutputFormat.Csv => new CsvResultWriter(stream, ownsStream, withConcurrency),
        _ => throw new ArgumentOutOfRangeException(nameof(format)),
    };
}
