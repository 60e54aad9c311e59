using System.Text;

namespace Quiver.SimWeb;

/// <summary>The files a client needs to use the sim: the CA to trust, the name mapping, and the URL lists.</summary>
/// <param name="CaCertificate">PEM file of the CA (curl --cacert, quiver --ca-cert).</param>
/// <param name="ResolveFile">HOST:PORT:ADDRESS lines (quiver --resolve-file; each line is a curl --resolve value).</param>
/// <param name="CurlConfig">A curl config file (curl -K) with the CA and every resolve entry.</param>
/// <param name="Top10">The top-10 list URLs.</param>
/// <param name="Top500">The top-500 list URLs.</param>
public sealed record SimWebFiles(string CaCertificate, string ResolveFile, string CurlConfig, string Top10, string Top500)
{
    /// <summary>Where the files live in <paramref name="directory"/> (as <see cref="Write"/> lays them out).</summary>
    public static SimWebFiles In(string directory)
    {
        string dir = Path.GetFullPath(directory);
        return new SimWebFiles(
            Path.Combine(dir, "ca.pem"), Path.Combine(dir, "resolve.txt"), Path.Combine(dir, "curl.conf"),
            Path.Combine(dir, "top10.txt"), Path.Combine(dir, "top500.txt"));
    }

    /// <summary>Writes the files for <paramref name="world"/> into <paramref name="directory"/> (created if missing).</summary>
    public static SimWebFiles Write(SimWorld world, CertificateAuthority authority, string directory)
    {
        ArgumentNullException.ThrowIfNull(world);
        ArgumentNullException.ThrowIfNull(authority);
        var files = In(Directory.CreateDirectory(directory).FullName);

        authority.WritePem(files.CaCertificate);
        var resolve = world.ResolveLines().ToList();
        File.WriteAllLines(files.ResolveFile, ["# quiver sim: HOST:PORT:ADDRESS, as curl --resolve", .. resolve]);

        var curl = new StringBuilder();
        curl.Append("# quiver sim: use with curl -K ").AppendLine(files.CurlConfig);
        curl.Append("cacert = \"").Append(files.CaCertificate).AppendLine("\"");
        foreach (string line in resolve) curl.Append("resolve = \"").Append(line).AppendLine("\"");
        File.WriteAllText(files.CurlConfig, curl.ToString());

        File.WriteAllLines(files.Top10, world.TopUrls(10).Select(u => u.AbsoluteUri));
        File.WriteAllLines(files.Top500, world.TopUrls(500).Select(u => u.AbsoluteUri));
        return files;
    }
}
