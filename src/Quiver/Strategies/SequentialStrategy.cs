using System.Runtime.CompilerServices;
using Quiver.Fetching;
using Quiver.Input;

namespace Quiver.Strategies;

/// <summary>The plain loop: one request at a time, the next only after the previous one is complete.</summary>
internal sealed class SequentialStrategy(Fetcher fetcher) : IFetchStrategy
{
    public string Name => "sequential";

    public async IAsyncEnumerable<FetchResult> RunAsync(IAsyncEnumerable<UrlRequest> requests, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var enumerator = requests.GetAsyncEnumerator(cancellationToken);
        await using (enumerator.ConfigureAwait(false))
        {
            while (!cancellationToken.IsCancellationRequested && await enumerator.MoveNextAsync().ConfigureAwait(false))
                yield return await fetcher.FetchAsync(enumerator.Current, cancellationToken).ConfigureAwait(false);
        }
    }

    public void Dispose() => fetcher.Dispose();
}
