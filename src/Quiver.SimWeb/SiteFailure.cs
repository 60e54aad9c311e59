namespace Quiver.SimWeb;

/// <summary>How a simulated site fails, if it does. A few percent of sites fail, spread over these kinds.</summary>
public enum SiteFailure
{
    /// <summary>The site answers normally.</summary>
    None,
    /// <summary>Nothing listens where the site's name resolves: the TCP connection is refused.</summary>
    ConnectionRefused,
    /// <summary>The response starts, then the connection is dropped halfway through the body.</summary>
    ResetMidBody,
    /// <summary>The site presents a certificate (signed by the sim's CA) for another name.</summary>
    WrongCertificateName,
    /// <summary>403 Forbidden.</summary>
    Forbidden,
    /// <summary>404 Not Found.</summary>
    NotFound,
    /// <summary>429 Too Many Requests, with Retry-After.</summary>
    TooManyRequests,
    /// <summary>500 Internal Server Error.</summary>
    InternalServerError,
    /// <summary>503 Service Unavailable, with Retry-After.</summary>
    ServiceUnavailable,
    /// <summary>The request is accepted and never answered, for longer than any sane timeout.</summary>
    Hang,
}

/// <summary>What each failure kind looks like on the wire.</summary>
public static class SiteFailures
{
    /// <summary>The HTTP status a failing site answers with, or null when the failure is not a status.</summary>
    public static int? StatusCode(this SiteFailure failure) => failure switch
    {
        SiteFailure.Forbidden => 403,
        SiteFailure.NotFound => 404,
        SiteFailure.TooManyRequests => 429,
        SiteFailure.InternalServerError => 500,
        SiteFailure.ServiceUnavailable => 503,
        _ => null,
    };

    /// <summary>429 and 503 tell the client when to come back, as real sites do.</summary>
    public static bool SendsRetryAfter(this SiteFailure failure) => failure is SiteFailure.TooManyRequests or SiteFailure.ServiceUnavailable;

    /// <summary>Kebab-case name for output and the command line.</summary>
    public static string ToWireName(this SiteFailure failure) => failure switch
    {
        SiteFailure.None => "none",
        SiteFailure.ConnectionRefused => "connection-refused",
        SiteFailure.ResetMidBody => "reset-mid-body",
        SiteFailure.WrongCertificateName => "wrong-certificate-name",
        SiteFailure.Forbidden => "403",
        SiteFailure.NotFound => "404",
        SiteFailure.TooManyRequests => "429",
        SiteFailure.InternalServerError => "500",
        SiteFailure.ServiceUnavailable => "503",
        SiteFailure.Hang => "hang",
        _ => throw new ArgumentOutOfRangeException(nameof(failure)),
    };
}
