using System.Net.Sockets;
using Quiver.Fetching;

namespace Quiver.Tests.Fetching;

/// <summary>
/// The classifier on the exceptions SocketsHttpHandler builds around a connect failure. Unit tests
/// because an unreachable address cannot be produced end to end without risking a packet off the
/// machine: on this kernel 0.0.0.0/8 is routable unicast (a non-blocking connect to 0.0.0.1 returns
/// EINPROGRESS), and a link-local IPv6 address is not loopback.
/// </summary>
public sealed class ErrorClassifierTests
{
    /// <summary>What the handler throws when the connect callback fails: a ConnectionError around the socket's error.</summary>
    private static HttpRequestException ConnectFailure(SocketError error) =>
        new(HttpRequestError.ConnectionError, "connect failed", new SocketException((int)error));

    [Theory]
    [InlineData(SocketError.NetworkUnreachable)]
    [InlineData(SocketError.HostUnreachable)]
    [InlineData(SocketError.NetworkDown)]
    [InlineData(SocketError.HostDown)]
    [InlineData(SocketError.InvalidArgument)] // EINVAL: 0.0.0.1 on older kernels, fe80::1 without a zone
    [InlineData(SocketError.AddressNotAvailable)]
    public void A_connect_with_no_route_is_unreachable_not_a_reset(SocketError error) =>
        Assert.Equal(FetchErrorKind.Unreachable, ErrorClassifier.Classify(ConnectFailure(error)).Kind);

    [Theory]
    [InlineData(SocketError.ConnectionRefused, FetchErrorKind.ConnectionRefused)]
    [InlineData(SocketError.TimedOut, FetchErrorKind.ConnectTimeout)]
    [InlineData(SocketError.HostNotFound, FetchErrorKind.Dns)]
    [InlineData(SocketError.ConnectionReset, FetchErrorKind.ConnectionReset)]
    public void Other_socket_errors_keep_their_kinds(SocketError error, FetchErrorKind kind) =>
        Assert.Equal(kind, ErrorClassifier.Classify(ConnectFailure(error)).Kind);

    [Fact]
    public void A_body_that_does_not_decode_is_decoding()
    {
        var failure = new ContentDecodingException("does not decode as gzip", new InvalidDataException("unsupported compression method"));
        Assert.Equal(FetchErrorKind.Decoding, ErrorClassifier.Classify(failure).Kind);
    }

    [Fact]
    public void A_reset_is_a_lost_connection_and_a_protocol_error_is_not()
    {
        var reset = new HttpRequestException(HttpRequestError.Unknown, "send failed", new IOException("read failed", new SocketException((int)SocketError.ConnectionReset)));
        Assert.True(ErrorClassifier.IsConnectionLost(reset));
        Assert.True(ErrorClassifier.IsConnectionLost(new HttpIOException(HttpRequestError.ResponseEnded, "ended")));
        Assert.False(ErrorClassifier.IsConnectionLost(new HttpRequestException(HttpRequestError.InvalidResponse, "bad status line")));
        Assert.False(ErrorClassifier.IsConnectionLost(ConnectFailure(SocketError.ConnectionRefused)));
    }
}
