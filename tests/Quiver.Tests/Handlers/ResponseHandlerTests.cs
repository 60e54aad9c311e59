using System.Text;
using Quiver.Fetching;
using Quiver.Handlers;
using Quiver.Input;
using Quiver.Strategies;
using Quiver.Tests.Infrastructure;

namespace Quiver.Tests.Handlers;

public sealed class ResponseHandlerTests(LoopbackServerFixture fixture) : IClassFixture<LoopbackServerFixture>
{
    private LoopbackServer Server => fixture.Server;

    /// <summary>A user hook: reads the body stream and records what it saw in the result.</summary>
    private sealed class BodyLengthHandler : IResponseHandler
    {
        public async ValueTask HandleAsync(ResponseContext context, CancellationToken cancellationToken)
        {
            using var reader = new StreamReader(context.Body, Encoding.UTF8, leaveOpen: true);
            string body = await reader.ReadToEndAsync(cancellationToken);
            (context.Result.Data ??= [])["chars"] = body.Length.ToString(System.Globalization.CultureInfo.InvariantCulture);
            context.Result.Data["status"] = ((int)context.Response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
    }

    private sealed class ThrowingHandler : IResponseHandler
    {
        public ValueTask HandleAsync(ResponseContext context, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("boom");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task UserHandler_SeesTheBodyAndWritesIntoTheResult(bool blocking)
    {
        using var fetcher = new Fetcher(new FetchOptions(), [new BodyLengthHandler()]);
        var request = UrlRequest.FromLine(1, Server.HttpUrl("/fast"));
        var result = blocking ? fetcher.Fetch(request) : await fetcher.FetchAsync(request);
        Assert.Null(result.Error);
        Assert.Equal(result.Bytes.ToString(), result.Data!["chars"]);
        Assert.Equal("200", result.Data["status"]);
    }

    [Fact]
    public async Task ThrowingHandler_BecomesAHandlerErrorOnThatUrlOnly()
    {
        using var strategy = FetchStrategies.Create(new StrategyOptions { Kind = StrategyKind.Async }, new FetchOptions(), [new ThrowingHandler()]);
        var results = await Infrastructure.StrategyRunner.CollectAsync(strategy, [Server.HttpUrl("/fast"), Server.HttpUrl("/status/404")]);
        Assert.Equal(2, results.Count);
        Assert.All(results, r =>
        {
            Assert.Equal(FetchErrorKind.Handler, r.Error);
            Assert.Contains("boom", r.ErrorMessage, StringComparison.Ordinal);
        });
    }

    [Theory]
    [MemberData(nameof(AllStrategies))]
    public async Task ExtractTitleAndLinks_WorksInEveryStrategy(string strategy)
    {
        var options = new FetchOptions { ExtractTitle = true, ExtractLinks = true };
        var results = await Infrastructure.StrategyRunner.RunAsync(Infrastructure.StrategyRunner.Parse(strategy), options, [Server.HttpUrl("/fast")]);
        var result = Assert.Single(results);
        Assert.Equal("fast", result.Title);
        Assert.Equal([Server.HttpUrl("/echo/a"), Server.HttpUrl("/echo/b")], result.Links);
    }

    public static TheoryData<string> AllStrategies => Infrastructure.StrategyRunner.All;
}
