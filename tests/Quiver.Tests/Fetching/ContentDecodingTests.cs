using System.IO.Compression;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Quiver.Fetching;
using Quiver.Input;
using Quiver.Tests.Infrastructure;

namespace Quiver.Tests.Fetching;

/// <summary>
/// Bodies in each coding the fetcher offers come back decoded, counted and handed to the handlers
/// decoded, on both the async and the blocking path: the fetcher decodes them itself now.
/// </summary>
public sealed class ContentDecodingTests : IAsyncLifetime
{
    private const string Page = "<html><head><title>decoded page</title></head><body>the same words, the same words, the same words</body></html>";
    private KestrelHost _server = null!;
    private string? _lastAcceptEncoding;

    public async Task InitializeAsync()
    {
        _server = await KestrelHost.StartAsync(app => app.MapGet("/{coding}", async (string coding, HttpContext context) =>
        {
            _lastAcceptEncoding = context.Request.Headers.AcceptEncoding.ToString();
            byte[] body = Encode(coding, Encoding.UTF8.GetBytes(Page));
            context.Response.ContentType = "text/html";
            if (coding != "identity") context.Response.Headers.ContentEncoding = coding == "raw-deflate" ? "deflate" : coding;
            context.Response.ContentLength = body.Length;
            await context.Response.Body.WriteAsync(body);
        }));
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private static byte[] Encode(string coding, byte[] plain)
    {
        if (coding is "identity" or "x-unknown") return plain;
        var packed = new MemoryStream();
        using (Stream encoder = coding switch
        {
            "gzip" => new GZipStream(packed, CompressionLevel.Fastest, leaveOpen: true),
            "br" => new BrotliStream(packed, CompressionLevel.Fastest, leaveOpen: true),
            "deflate" => new ZLibStream(packed, CompressionLevel.Fastest, leaveOpen: true),
            "raw-deflate" => new DeflateStream(packed, CompressionLevel.Fastest, leaveOpen: true),
            _ => throw new ArgumentOutOfRangeException(nameof(coding)),
        })
        {
            encoder.Write(plain);
        }
        return packed.ToArray();
    }

    [Theory]
    [InlineData("gzip", true)]
    [InlineData("br", true)]
    [InlineData("deflate", true)]
    [InlineData("raw-deflate", true)]
    [InlineData("identity", true)]
    [InlineData("gzip", false)]
    [InlineData("deflate", false)]
    [InlineData("raw-deflate", false)]
    public async Task Encoded_bodies_are_decoded_counted_and_parsed(string coding, bool async)
    {
        using var fetcher = new Fetcher(new FetchOptions { ExtractTitle = true });
        var request = UrlRequest.FromLine(1, new Uri(_server.Address, coding).AbsoluteUri);
        var result = async ? await fetcher.FetchAsync(request) : fetcher.Fetch(request);

        Assert.Null(result.ErrorMessage);
        Assert.Equal(200, result.Status);
        Assert.Equal(Encoding.UTF8.GetByteCount(Page), result.Bytes);
        Assert.Equal("decoded page", result.Title);
        Assert.Equal("gzip, deflate, br", _lastAcceptEncoding);
    }

    [Fact]
    public async Task A_coding_the_fetcher_does_not_know_is_read_as_it_came()
    {
        using var fetcher = new Fetcher(new FetchOptions());
        var result = await fetcher.FetchAsync(UrlRequest.FromLine(1, new Uri(_server.Address, "x-unknown").AbsoluteUri));
        Assert.Equal(200, result.Status);
        Assert.Equal(Encoding.UTF8.GetByteCount(Page), result.Bytes);
    }

    [Fact]
    public async Task A_declared_encoded_size_under_the_limit_still_fails_when_the_decoded_body_is_over_it()
    {
        int limit = Encoding.UTF8.GetByteCount(Page) - 1;
        Assert.True(Encode("gzip", Encoding.UTF8.GetBytes(Page)).Length < limit, "the encoded body must declare a size under the limit");
        using var fetcher = new Fetcher(new FetchOptions { MaxBodyBytes = limit });
        var result = await fetcher.FetchAsync(UrlRequest.FromLine(1, new Uri(_server.Address, "gzip").AbsoluteUri));
        Assert.Equal(FetchErrorKind.BodyTooLarge, result.Error);
    }
}
