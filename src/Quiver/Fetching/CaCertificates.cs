using System.Security.Cryptography.X509Certificates;

namespace Quiver.Fetching;

/// <summary>The certificates of a <c>--ca-cert</c> file: a PEM bundle, or one DER certificate.</summary>
public static class CaCertificates
{
    /// <summary>Reads <paramref name="path"/>; a file that is neither throws a CryptographicException or yields none.</summary>
    public static X509Certificate2Collection Load(string path)
    {
        var certificates = new X509Certificate2Collection();
        if (File.ReadAllText(path).Contains("-----BEGIN", StringComparison.Ordinal))
            certificates.ImportFromPemFile(path);
        else
            certificates.Add(X509CertificateLoader.LoadCertificateFromFile(path));
        return certificates;
    }
}
