using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.VisualBasic.FileIO;
using Quiver.Fetching;
using Quiver.Output;
using Quiver.Tests.Infrastructure;

namespace Quiver.Tests.Output;

/// <summary>
/// The CSV output holds every field the JSON lines hold, under the snake_case name, with the same
/// value: lists joined with a space, <c>data</c> as its JSON text, RFC 4180 quoting (read back here
/// by the framework's own CSV parser, not by ours).
/// </summary>
public sealed class CsvResultWriterTests(LoopbackServerFixture fixture) : IClassFixture<LoopbackServerFixture>, IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("quiver-csv-").FullName;

    /// <summary>A record with every property set, values chosen to need quoting.</summary>
    private static FetchResult EveryFieldSet() => new()
    {
        Line = 7,
        Url = "http://a.test/start?x=1,2",
        FinalUrl = "http://a.test/end",
        Redirects = ["http://a.test/r1", "http://a.test/end"],
        RedirectTo = "http://b.test/elsewhere",
        HttpVersion = "1.1",
        Status = 200,
        ContentType = "text/html; charset=utf-8",
        Bytes = 1234,
        Timings = new FetchTimings { TotalMs = 12.5, TtfbMs = 3.25, DnsMs = 0.125, ConnectMs = 1.5, TlsMs = 4 },
        Attempts = 2,
        Error = FetchErrorKind.Handler,
        ErrorMessage = "handler said \"no\", twice\r\nand again",
        Title = "Quotes \"here\", commas, and\nnew lines",
        Links = ["http://a.test/1", "http://a.test/2?q=a,b"],
        BodyFile = "/tmp/bodies/7_a.test_end_abc.body",
        Depth = 3,
        Referrer = "http://a.test/",
        Data = new Dictionary<string, string> { ["price"] = "1,99 \"EUR\"", ["note"] = "two\nlines" },
        Concurrency = 48,
    };

    [Fact]
    public void The_full_record_sets_every_property_the_json_writes()
    {
        // Guards the next test: a FetchResult property added later and not set above would go untested.
        var unset = typeof(FetchResult).GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanWrite && p.GetCustomAttribute<JsonIgnoreAttribute>() is null && p.GetValue(EveryFieldSet()) is null)
            .Concat(typeof(FetchTimings).GetProperties().Where(p => p.GetValue(EveryFieldSet().Timings) is null))
            .Select(p => p.Name);
        Assert.Empty(unset);
    }

    [Fact]
    public async Task Every_json_field_is_a_csv_column_with_the_same_value()
    {
        var result = EveryFieldSet();
        var json = JsonDocument.Parse(await WriteAsync(OutputFormat.JsonLines, result)).RootElement;
        var csv = Assert.Single(ReadCsv(await WriteAsync(OutputFormat.Csv, result, withConcurrency: true)));

        var fromJson = Flatten(json);
        // concurrency is the column --record-concurrency adds; without it the columns are exactly Columns.
        Assert.Equal(fromJson.Keys.Order(StringComparer.Ordinal), CsvResultWriter.Columns.Append(CsvResultWriter.ConcurrencyColumn).Order(StringComparer.Ordinal));
        foreach (var (column, value) in fromJson)
            Assert.True(value == csv[column], $"{column}: JSON gives [{value}], CSV gives [{csv[column]}]");
    }

    [Fact]
    public async Task Fetch_writes_the_same_fields_as_csv_and_as_json_lines()
    {
        string list = Path.Combine(_directory, "list.txt");
        File.WriteAllLines(list, [fixture.Server.HttpUrl("/fast"), fixture.Server.HttpUrl("/redirect/2"), fixture.Server.HttpUrl("/status/404"), "not a url"]);

        var jsonRun = await CliRunner.RunAsync(["fetch", list, "--extract", "title,links", "--quiet"]);
        var csvRun = await CliRunner.RunAsync(["fetch", list, "--extract", "title,links", "--format", "csv", "--quiet"]);

        Assert.True(jsonRun.ExitCode == 0, jsonRun.StandardError);
        Assert.True(csvRun.ExitCode == 0, csvRun.StandardError);
        var csvByLine = ReadCsv(csvRun.StandardOutput).ToDictionary(r => r["line"]);
        var jsonRecords = jsonRun.OutputLines.Select(l => Flatten(JsonDocument.Parse(l).RootElement)).ToList();
        Assert.Equal(4, jsonRecords.Count);
        Assert.Equal(4, csvByLine.Count);
        Assert.Contains(jsonRecords, r => r.ContainsKey("links") && r.ContainsKey("redirects") && r.ContainsKey("title"));
        foreach (var record in jsonRecords)
        {
            var row = csvByLine[record["line"]];
            // Timings differ between the two runs; every other field must match.
            foreach (var (column, value) in record.Where(f => !f.Key.EndsWith("_ms", StringComparison.Ordinal)))
                Assert.True(value == row[column], $"line {record["line"]}, {column}: JSON gives [{value}], CSV gives [{row[column]}]");
            foreach (var (column, value) in row.Where(f => f.Value.Length > 0))
                Assert.True(record.ContainsKey(column), $"line {record["line"]}: CSV has {column} = [{value}], JSON has no such field");
        }
    }

    private static async Task<string> WriteAsync(OutputFormat format, FetchResult result, bool withConcurrency = false)
    {
        using var stream = new MemoryStream();
        await using (var writer = ResultWriters.Create(format, stream, withConcurrency: withConcurrency))
            await writer.WriteAsync(result);
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>The rows of a CSV text with a header, each as column → value, parsed by the framework's RFC 4180 reader.</summary>
    private static List<Dictionary<string, string>> ReadCsv(string text)
    {
        using var parser = new TextFieldParser(new StringReader(text)) { HasFieldsEnclosedInQuotes = true, TrimWhiteSpace = false };
        parser.SetDelimiters(",");
        string[] header = parser.ReadFields()!;
        var rows = new List<Dictionary<string, string>>();
        while (parser.ReadFields() is { } fields)
        {
            Assert.Equal(header.Length, fields.Length);
            rows.Add(header.Zip(fields).ToDictionary(p => p.First, p => p.Second));
        }
        return rows;
    }

    /// <summary>
    /// A JSON record as the CSV should show it: snake_case names, the timings object flattened to its
    /// fields, lists joined with a space, any other object as its JSON text.
    /// </summary>
    private static Dictionary<string, string> Flatten(JsonElement record)
    {
        var fields = new Dictionary<string, string>();
        foreach (var property in record.EnumerateObject())
        {
            if (property.Name == "timings")
            {
                foreach (var timing in property.Value.EnumerateObject())
                    fields[SnakeCase(timing.Name)] = timing.Value.GetRawText();
                continue;
            }
            fields[SnakeCase(property.Name)] = property.Value.ValueKind switch
            {
                JsonValueKind.String => property.Value.GetString()!,
                JsonValueKind.Array => string.Join(' ', property.Value.EnumerateArray().Select(e => e.GetString())),
                _ => property.Value.GetRawText(),
            };
        }
        return fields;
    }

    private static string SnakeCase(string camel) => JsonNamingPolicy.SnakeCaseLower.ConvertName(camel);

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
