using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Quiver.Tests.Infrastructure;

namespace Quiver.Tests.Fetching;

/// <summary>
/// A refused certificate's <c>tls</c> record says what was wrong with it (the name, the chain, the
/// dates), not only that a validation callback said no; checked through the built CLI.
/// </summary>
public sealed class CertificateRejectionTests(LoopbackServerFixture fixture) : IClassFixture<LoopbackServerFixture>, IAsyncLifetime, IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("quiver-tls-").FullName;
    private readonly DateTimeOffset _expiredAt = new DateTimeOffset(DateTime.UtcNow.Date).AddDays(-2);
    private KestrelHost _expired = null!;

    /// <summary>HTTPS for 127.0.0.1 with a certificate the test CA signed but whose validity ended two days ago.</summary>
    public async Task InitializeAsync() =>
        _expired = await KestrelHost.StartAsync(app => app.Run(context => context.Response.WriteAsync("never seen")),
            [KestrelEndpoint.Https(IssueExpired(_expiredAt))]);

    [Theory]
    [InlineData("async")]
    [InlineData("threads")]
    public async Task Wrong_name_and_expired_certificates_say_so_with_an_extra_ca(string strategy)
    {
        string wrongName = new Uri(fixture.Server.HttpsWrongName, "/fast").AbsoluteUri;
        string expired = new Uri(_expired.Address, "/").AbsoluteUri;

        var records = await FetchAsync([wrongName, expired], "--strategy", strategy, "--ca-cert", TestCertificates.AuthorityFile);

        Assert.Equal(("tls", "server certificate rejected: name mismatch: the certificate is for wrong.example, not 127.0.0.1"), records[wrongName]);
        Assert.Equal(("tls", $"server certificate rejected: expired: the certificate was valid until {_expiredAt.UtcDateTime:yyyy-MM-dd} 00:00:00 UTC"), records[expired]);
    }

    [Fact]
    public async Task A_certificate_from_an_unknown_authority_is_an_untrusted_chain_with_the_system_store()
    {
        string url = fixture.Server.HttpsUrl("/fast");

        var records = await FetchAsync([url]);

        Assert.Equal("tls", records[url].Error);
        Assert.StartsWith("server certificate rejected: untrusted chain: ", records[url].Message, StringComparison.Ordinal);
        Assert.EndsWith("(issued by CN=Quiver Test CA)", records[url].Message, StringComparison.Ordinal);
    }

    private async Task<Dictionary<string, (string Error, string Message)>> FetchAsync(string[] urls, params string[] arguments)
    {
        string list = Path.Combine(_directory, $"{Guid.NewGuid():N}.txt");
        File.WriteAllLines(list, urls);
        var outcome = await CliRunner.RunAsync(["fetch", list, "--quiet", .. arguments]);
        Assert.True(outcome.ExitCode == 0, outcome.StandardError);
        return outcome.OutputLines.Select(l => JsonDocument.Parse(l).RootElement).ToDictionary(
            r => r.GetProperty("url").GetString()!,
            r => (r.GetProperty("error").GetString()!, r.GetProperty("errorMessage").GetString()!));
    }

    private static X509Certificate2 IssueExpired(DateTimeOffset notAfter)
    {
        using var caKey = TestCertificates.Authority.GetECDsaPrivateKey()!;
        return TestCertificates.Issue(TestCertificates.Authority, caKey, "localhost", includeLoopback: true, notAfter.AddDays(-10), notAfter);
    }

    public async Task DisposeAsync() => await _expired.DisposeAsync();

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
