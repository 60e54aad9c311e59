using System.Collections.Concurrent;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Quiver.SimWeb;

/// <summary>
/// A certificate authority made at start and never stored: it signs one certificate per site name
/// on first use. Clients trust the sim by trusting the CA's PEM file (curl --cacert, quiver --ca-cert).
/// </summary>
public sealed class CertificateAuthority : IDisposable
{
    private readonly X509Certificate2 _root;
    private readonly ConcurrentDictionary<string, Lazy<SslStreamCertificateContext>> _issued = new(StringComparer.OrdinalIgnoreCase);

    private CertificateAuthority(X509Certificate2 root) => _root = root;

    /// <summary>A fresh CA (ECDSA P-256: fast to sign with, and every TLS client accepts it).</summary>
    public static CertificateAuthority Create(string name = "Quiver SimWeb CA")
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}, O=Quiver simulated web", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var now = DateTimeOffset.UtcNow;
        return new CertificateAuthority(request.CreateSelfSigned(now.AddDays(-1), now.AddDays(365)));
    }

    /// <summary>The CA certificate, PEM-encoded (no key).</summary>
    public string CertificatePem => _root.ExportCertificatePem();

    /// <summary>Writes the CA certificate as PEM to <paramref name="path"/>.</summary>
    public void WritePem(string path) => File.WriteAllText(path, CertificatePem);

    /// <summary>The server certificate (with its chain) for <paramref name="dnsName"/>, signed on first use and kept.</summary>
    public SslStreamCertificateContext ContextFor(string dnsName) =>
        _issued.GetOrAdd(dnsName, name => new Lazy<SslStreamCertificateContext>(() => Issue(name))).Value;

    private SslStreamCertificateContext Issue(string dnsName)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={dnsName}", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(dnsName);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(_root, true, false));
        var now = DateTimeOffset.UtcNow;
        byte[] serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;
        using var signed = request.Create(_root, now.AddHours(-1), now.AddDays(30), serial);
        var leaf = signed.CopyWithPrivateKey(key);
        return SslStreamCertificateContext.Create(leaf, [_root], offline: true);
    }

    public void Dispose() => _root.Dispose();
}
