using System.Net.Sockets;
using System.Security.Authentication;

namespace Quiver.Fetching;

/// <summary>
/// Maps whatever the HTTP stack threw onto one <see cref="FetchErrorKind"/> and a readable message.
/// A stopped run and a passed deadline are not its business: only the caller holds the tokens that
/// tell them apart from a network failure.
/// </summary>
internal static class ErrorClassifier
{
    public static (FetchErrorKind Kind, string Message) Classify(Exception exception) => (KindOf(exception), Describe(exception));

    /// <summary>
    /// True when an HTTP/1.1 connection ended (a reset, an end of stream) under a request: what may be sent
    /// again on another one. HTTP/2's own stream and GOAWAY errors are left to the handler, which retries
    /// the streams a GOAWAY says were not processed.
    /// </summary>
    public static bool IsConnectionLost(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is HttpProtocolException) return false;
        }
        return KindOf(exception) == FetchErrorKind.ConnectionReset;
    }

    internal static FetchErrorKind KindOf(Exception exception)
    {
        // The innermost precise cause wins: walk outward-in and keep the most specific verdict.
        FetchErrorKind? verdict = null;
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case ConnectTimeoutException: return FetchErrorKind.ConnectTimeout;
                case BlockedAddressException: return FetchErrorKind.BlockedAddress;
                case BodyTooLargeException: return FetchErrorKind.BodyTooLarge;
                case ContentDecodingException: return FetchErrorKind.Decoding;
                case AuthenticationException: return FetchErrorKind.Tls;
                case SocketException socket:
                    switch (socket.SocketErrorCode)
                    {
                        case SocketError.ConnectionRefused: return FetchErrorKind.ConnectionRefused;
                        case SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain: return FetchErrorKind.Dns;
                        case SocketError.TimedOut: return FetchErrorKind.ConnectTimeout;
                        // No route, or an address no connect can reach (EINVAL for 0.0.0.1 or a link-local IPv6 address without its zone).
                        case SocketError.NetworkUnreachable or SocketError.HostUnreachable or SocketError.NetworkDown or SocketError.HostDown
                            or SocketError.InvalidArgument or SocketError.AddressNotAvailable or SocketError.AddressFamilyNotSupported:
                            return FetchErrorKind.Unreachable;
                        case SocketError.ConnectionReset or SocketError.ConnectionAborted or SocketError.Shutdown or SocketError.NotConnected:
                            return FetchErrorKind.ConnectionReset;
                    }
                    break;
                // An HTTP/2 RST_STREAM or GOAWAY, the server's or the client's own: a code that says the
                // stream or connection was given up (INTERNAL_ERROR, CANCEL…) ends the response as a reset
                // would; one that says a frame was wrong is the protocol's.
                case HttpProtocolException h2:
                    verdict ??= h2.ErrorCode is NoError or InternalError or RefusedStream or Cancel or ConnectError or EnhanceYourCalm
                        ? FetchErrorKind.ConnectionReset
                        : FetchErrorKind.Protocol;
                    break;
                case HttpRequestException { InnerException: HttpProtocolException }:
                    break; // the inner one's code decides
                case HttpRequestException http:
                    verdict ??= http.HttpRequestError switch
                    {
                        HttpRequestError.NameResolutionError => FetchErrorKind.Dns,
                        HttpRequestError.SecureConnectionError => FetchErrorKind.Tls,
                        HttpRequestError.ResponseEnded => FetchErrorKind.ConnectionReset,
                        HttpRequestError.InvalidResponse or HttpRequestError.HttpProtocolError
                            or HttpRequestError.VersionNegotiationError or HttpRequestError.ConfigurationLimitExceeded => FetchErrorKind.Protocol,
                        HttpRequestError.ConnectionError => FetchErrorKind.ConnectionReset,
                        _ => null,
                    };
                    break;
                case HttpIOException io:
                    verdict ??= io.HttpRequestError switch
                    {
                        HttpRequestError.ResponseEnded => FetchErrorKind.ConnectionReset,
                        HttpRequestError.InvalidResponse or HttpRequestError.HttpProtocolError => FetchErrorKind.Protocol,
                        _ => FetchErrorKind.ConnectionReset,
                    };
                    break;
                case IOException:
                    verdict ??= FetchErrorKind.ConnectionReset;
                    break;
            }
        }
        return verdict ?? FetchErrorKind.Other;
    }

    // HTTP/2 error codes (RFC 9113, section 7) that end a stream or connection without blaming a frame.
    private const long NoError = 0x0, InternalError = 0x2, RefusedStream = 0x7, Cancel = 0x8, ConnectError = 0xa, EnhanceYourCalm = 0xb;

    /// <summary>
    /// The outermost message, with the innermost cause appended when it adds something; a refused
    /// certificate's or a refused address's reason alone, since the handler's wrapper only says "see inner exception" or repeats the host.
    /// </summary>
    private static string Describe(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is CertificateRejectedException or BlockedAddressException) return e.Message;
        }
        var inner = exception;
        while (inner.InnerException is not null) inner = inner.InnerException;
        string outer = exception.Message;
        return ReferenceEquals(inner, exception) || outer.Contains(inner.Message, StringComparison.Ordinal)
            ? outer
            : $"{outer} ({inner.Message})";
    }
}
