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

    private static FetchErrorKind KindOf(Exception exception)
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
                case AuthenticationException: return FetchErrorKind.Tls;
                case SocketException socket:
                    switch (socket.SocketErrorCode)
                    {
                        case SocketError.ConnectionRefused: return FetchErrorKind.ConnectionRefused;
                        case SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain: return FetchErrorKind.Dns;
                        case SocketError.TimedOut: return FetchErrorKind.ConnectTimeout;
                        case SocketError.ConnectionReset or SocketError.ConnectionAborted or SocketError.Shutdown or SocketError.NotConnected:
                            return FetchErrorKind.ConnectionReset;
                    }
                    break;
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
