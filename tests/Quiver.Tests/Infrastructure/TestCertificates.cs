using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Quiver.Tests.Infrastructure;

/// <summary>
/// A throwaway CA and the server certificates it signs, made once per test run: a certificate for
/// localhost/127.0.0.1 that the CA vouches for, one for another name (for wrong-name tests), an
/// expired one and a self-signed one.
/// </summary>
public static class TestCertificates
{
    private static readonly Lazy<Material> Shared = new(Create);

    public static X509Certificate2 Authority => Shared.Value.Authority;

    /// <summary>The CA in PEM form on disk, as <c>--ca-cert</c> takes it.</summary>
    public static string AuthorityFile => Shared.Value.AuthorityFile;

    /// <summary>Valid for localhost and 127.0.0.1, signed by <see cref="Authority"/>.</summary>
    public static X509Certificate2 Localhost => Shared.Value.Localhost;

    /// <summary>Signed by <see cref="Authority"/> but for the name wrong.example only.</summary>
    public static X509Certificate2 WrongName => Shared.Value.WrongName;

    /// <summary>For localhost and 127.0.0.1, signed by <see cref="Authority"/>, but expired yesterday.</summary>
    public static X509Certificate2 Expired => Shared.Value.Expired;

    /// <summary>For localhost and 127.0.0.1, signed by itself: no CA vouches for it.</summary>
    public static X509Certificate2 SelfSigned => Shared.Value.SelfSigned;

    private sealed record Material(X509Certificate2 Authority, string AuthorityFile, X509Certificate2 Localhost, X509Certificate2 WrongName,
        X509Certificate2 Expired, X509Certificate2 SelfSigned);

    private static Material Create()
    {
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=Quiver Test CA", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        caRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(caRequest.PublicKey, false));
        var now = DateTimeOffset.UtcNow;
        var authority = caRequest.CreateSelfSigned(now.AddDays(-1), now.AddDays(30));

        string file = Path.Combine(Path.GetTempPath(), $"quiver-test-ca-{Environment.ProcessId}.pem");
        File.WriteAllText(file, authority.ExportCertificatePem());

        return new Material(authority, file, Issue(authority, caKey, "localhost", includeLoopback: true), Issue(authority, caKey, "wrong.example", includeLoopback: false),
            Issue(authority, caKey, "localhost", includeLoopback: true, notBefore: now.AddDays(-30), notAfter: now.AddDays(-1)), CreateSelfSigned("localhost"));
    }

    private static X509Certificate2 CreateSelfSigned(string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(name);
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var now = DateTimeOffset.UtcNow;
        return request.CreateSelfSigned(now.AddDays(-1), now.AddDays(29));
    }

    /// <summary>
    /// A server certificate for <paramref name="name"/> signed by <paramref name="authority"/>; valid from
    /// yesterday for 30 days unless <paramref name="notBefore"/>/<paramref name="notAfter"/> say otherwise.
    /// </summary>
    internal static X509Certificate2 Issue(X509Certificate2 authority, ECDsa caKey, string name, bool includeLoopback,
        DateTimeOffset? notBefore = null, DateTimeOffset? notAfter = null)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(name);
        if (includeLoopback) names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var serial = new byte[8];
        RandomNumberGenerator.Fill(serial);
        var now = DateTimeOffset.UtcNow;
        using var issued = request.Create(authority.SubjectName, X509SignatureGenerator.CreateForECDsa(caKey),
            notBefore ?? now.AddDays(-1), notAfter ?? now.AddDays(29), serial);
        return issued.CopyWithPrivateKey(key);
    }
}
