using System.Text;
using Quiver.Input;

namespace Quiver.Tests.Input;

public sealed class UrlListReaderTests
{
    private static async Task<List<UrlRequest>> ReadAsync(byte[] bytes)
    {
        var list = new List<UrlRequest>();
        await foreach (var request in UrlListReader.ReadAsync(new MemoryStream(bytes)))
            list.Add(request);
        return list;
    }

    private static Task<List<UrlRequest>> ReadAsync(string text) => ReadAsync(Encoding.UTF8.GetBytes(text));

    [Fact]
    public async Task EmptyFile_YieldsNothing() => Assert.Empty(await ReadAsync(""));

    [Fact]
    public async Task OnlyCommentsAndBlankLines_YieldNothing() =>
        Assert.Empty(await ReadAsync("# a comment\n\n   \n\t# indented comment\r\n"));

    [Fact]
    public async Task CrlfLines_AreReadWithoutCarriageReturns()
    {
        var list = await ReadAsync("http://a.test/\r\nhttp://b.test/x\r\n");
        Assert.Equal(["http://a.test/", "http://b.test/x"], list.Select(r => r.Uri!.AbsoluteUri));
    }

    [Fact]
    public async Task Utf8ByteOrderMark_IsNotPartOfTheFirstUrl()
    {
        byte[] bytes = [.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes("example.com\n")];
        var request = Assert.Single(await ReadAsync(bytes));
        Assert.Equal("https://example.com/", request.Uri!.AbsoluteUri);
    }

    [Fact]
    public async Task Utf16WithByteOrderMark_IsDecoded()
    {
        byte[] bytes = [.. Encoding.Unicode.GetPreamble(), .. Encoding.Unicode.GetBytes("http://a.test/\n")];
        Assert.Equal("http://a.test/", Assert.Single(await ReadAsync(bytes)).Uri!.AbsoluteUri);
    }

    [Fact]
    public async Task BytesThatAreNotUtf8_MakeAnInvalidLineNotALookup()
    {
        // "bücher" in Latin-1: 0xFC is not UTF-8, so the reader decodes it as U+FFFD.
        byte[] bytes = [.. Encoding.UTF8.GetBytes("http://b"), 0xFC, .. Encoding.UTF8.GetBytes("cher.test/\nhttp://ok.test/\n")];
        var list = await ReadAsync(bytes);
        Assert.Null(list[0].Uri);
        Assert.Contains("not valid UTF-8", list[0].InvalidReason, StringComparison.Ordinal);
        Assert.Equal("http://ok.test/", list[1].Uri!.AbsoluteUri);
    }

    [Fact]
    public async Task LineNumbers_CountSkippedLines()
    {
        var list = await ReadAsync("# header\n\nhttp://a.test/\n# note\nhttp://b.test/\n");
        Assert.Equal([3L, 5L], list.Select(r => r.Line));
    }

    [Fact]
    public async Task TenMegabyteLine_IsOneInvalidRecordWithItsLineNumber()
    {
        string huge = "http://a.test/" + new string('x', 10 * 1024 * 1024);
        var list = await ReadAsync($"http://ok.test/\n{huge}\nhttp://after.test/\n");
        Assert.Equal(3, list.Count);
        Assert.Equal(2, list[1].Line);
        Assert.Null(list[1].Uri);
        Assert.Contains("characters", list[1].InvalidReason, StringComparison.Ordinal);
        Assert.True(list[1].Text.Length < 100, "the record does not carry the 10 MB line");
        Assert.Equal("http://after.test/", list[2].Uri!.AbsoluteUri);
    }

    [Fact]
    public async Task HundredThousandLines_AreAllReadInOrder()
    {
        var text = new StringBuilder();
        for (int i = 1; i <= 100_000; i++) text.Append("http://h").Append(i % 97).Append(".test/p").Append(i).Append('\n');
        long expected = 1;
        await foreach (var request in UrlListReader.ReadAsync(new MemoryStream(Encoding.UTF8.GetBytes(text.ToString()))))
        {
            Assert.Equal(expected, request.Line);
            Assert.EndsWith($"/p{expected}", request.Uri!.AbsoluteUri, StringComparison.Ordinal);
            expected++;
        }
        Assert.Equal(100_001, expected);
    }

    [Fact]
    public void CountUrls_CountsOnlyUrlLines()
    {
        string path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, "# c\nhttp://a.test/\n\nb.test\n");
            Assert.Equal(2, UrlListReader.CountUrls(path));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
