using System.Globalization;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace Quiver.Fetching;

/// <summary>
/// Says in words why a server certificate was refused. A validation callback that returns false
/// leaves only ".NET rejected it by the provided RemoteCertificateValidationCallback" in the error, which
/// does not tell a wrong name from an expired or untrusted certificate; so Quiver's callbacks refuse by
/// throwing <see cref="CertificateRejectedException"/>, which SslStream and SocketsHttpHandler pass on as
/// the inner exception of the failed request, and the <c>tls</c> record's message is its text.
/// </summary>
internal static class CertificateRejection
{
    /// <summary>The system's verdict as is: accepts a certificate without errors, refuses any other with the reason.</summary>
    public static bool Check(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors) =>
        errors == SslPolicyErrors.None || Refuse(sender, certificate, chain, errors);

    /// <summary>Never returns: throws the reason, for a callback's "no".</summary>
    public static bool Refuse(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors) =>
        throw new CertificateRejectedException(Describe((sender as SslStream)?.TargetHostName, certificate, chain, errors, DateTime.Now));

    /// <summary>One line: each problem the handshake found, e.g. "name mismatch: the certificate is for wrong.example, not 127.0.0.1".</summary>
    public static string Describe(string? host, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors, DateTime now)
    {
        var leaf = certificate as X509Certificate2;
        var problems = new List<string>();
        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable))
            problems.Add("the server sent no certificate");
        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch))
            problems.Add($"name mismatch: the certificate is for {NamesOf(leaf)}, not {(string.IsNullOrEmpty(host) ? "the host asked for" : host)}");
        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateChainErrors))
            problems.AddRange(ChainProblems(leaf, chain, now));
        if (problems.Count == 0)
            problems.Add($"rejected ({errors})");
        return $"server certificate rejected: {string.Join("; ", problems)}";
    }

    private static IEnumerable<string> ChainProblems(X509Certificate2? leaf, X509Chain? chain, DateTime now)
    {
        var flags = chain?.ChainStatus.Select(s => s.Status).Where(s => s != X509ChainStatusFlags.NoError).Distinct().ToList() ?? [];
        if (flags.Count == 0)
        {
            yield return "untrusted chain: it could not be validated";
            yield break;
        }
        string issuer = leaf?.Issuer is { Length: > 0 } name ? $" (issued by {name})" : "";
        foreach (var flag in flags)
        {
            yield return flag switch
            {
                X509ChainStatusFlags.NotTimeValid when leaf is not null && leaf.NotAfter < now =>
                    $"expired: the certificate was valid until {Stamp(leaf.NotAfter)}",
                X509ChainStatusFlags.NotTimeValid when leaf is not null && leaf.NotBefore > now =>
                    $"not yet valid: the certificate is valid from {Stamp(leaf.NotBefore)}",
                X509ChainStatusFlags.NotTimeValid => "expired: a certificate in its chain is outside its validity period",
                X509ChainStatusFlags.UntrustedRoot => $"untrusted chain: it ends at a root that is not trusted{issuer}",
                X509ChainStatusFlags.PartialChain => $"untrusted chain: no trusted authority vouches for it{issuer}",
                X509ChainStatusFlags.Revoked => "revoked: the certificate has been revoked",
                X509ChainStatusFlags.NotSignatureValid => "bad signature: a signature in its chain does not verify",
                X509ChainStatusFlags.NotValidForUsage => "wrong usage: the certificate is not valid for a TLS server",
                _ => $"chain error: {flag}",
            };
        }
    }

    /// <summary>The names a certificate is valid for: its subject alternative names, else its subject's common name.</summary>
    private static string NamesOf(X509Certificate2? certificate)
    {
        if (certificate is null) return "an unknown name";
        var names = new List<string>();
        foreach (var extension in certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>())
        {
            names.AddRange(extension.EnumerateDnsNames());
            names.AddRange(extension.EnumerateIPAddresses().Select(a => a.ToString()));
        }
        if (names.Count == 0 && certificate.GetNameInfo(X509NameType.DnsName, forIssuer: false) is { Length: > 0 } common)
            names.Add(common);
        return names.Count == 0 ? "no name" : string.Join(", ", names.Distinct(StringComparer.OrdinalIgnoreCase));
    }

    private static string Stamp(DateTime time) => time.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);
}

/// <summary>A server certificate Quiver refused; the message says why.</summary>
internal sealed class CertificateRejectedException(string message) : AuthenticationException(message);
