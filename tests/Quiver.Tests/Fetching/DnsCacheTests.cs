using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Time.Testing;
using Quiver.Fetching;

namespace Quiver.Tests.Fetching;

/// <summary>
/// The cache in front of the OS resolver, checked with real lookups of names that resolve without a
/// network (localhost) and of names that can never resolve (the reserved <c>.invalid</c> TLD), counted
/// through the resolver seam.
/// </summary>
public sealed class DnsCacheTests
{
    private static readonly TimeSpan Positive = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan Negative = TimeSpan.FromSeconds(10);

    /// <summary>The real resolver, counting its calls.</summary>
    private sealed class CountingResolver
    {
        private int _calls;
        public int Calls => Volatile.Read(ref _calls);

        public Task<IPAddress[]> LookupAsync(string host, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _calls);
            return Dns.GetHostAddressesAsync(host, cancellationToken);
        }
    }

    [Fact]
    public async Task Localhost_resolves_to_loopback_and_is_looked_up_once_within_the_ttl()
    {
        var resolver = new CountingResolver();
        var time = new FakeTimeProvider();
        var cache = new DnsCache(Positive, Negative, lookup: resolver.LookupAsync, time: time);

        var first = await cache.ResolveAsync("localhost", CancellationToken.None);
        time.Advance(Positive - TimeSpan.FromSeconds(1));
        var second = await cache.ResolveAsync("LOCALHOST", CancellationToken.None);

        Assert.Contains(first, IPAddress.IsLoopback);
        Assert.Same(first, second);
        Assert.Equal(1, resolver.Calls);
        Assert.Equal(1, cache.Lookups);
    }

    [Fact]
    public async Task An_answer_older_than_the_positive_ttl_is_looked_up_again()
    {
        var resolver = new CountingResolver();
        var time = new FakeTimeProvider();
        var cache = new DnsCache(Positive, Negative, lookup: resolver.LookupAsync, time: time);

        await cache.ResolveAsync("localhost", CancellationToken.None);
        time.Advance(Positive);
        var again = await cache.ResolveAsync("localhost", CancellationToken.None);

        Assert.Contains(again, IPAddress.IsLoopback);
        Assert.Equal(2, resolver.Calls);
    }

    [Fact]
    public async Task A_name_that_does_not_resolve_is_remembered_for_the_negative_ttl_only()
    {
        var resolver = new CountingResolver();
        var time = new FakeTimeProvider();
        var cache = new DnsCache(Positive, Negative, lookup: resolver.LookupAsync, time: time);
        const string dead = "no-such-host.quiver.invalid";

        var first = await Assert.ThrowsAsync<SocketException>(() => cache.ResolveAsync(dead, CancellationToken.None).AsTask());
        var cached = await Assert.ThrowsAsync<SocketException>(() => cache.ResolveAsync(dead, CancellationToken.None).AsTask());
        Assert.Equal(1, resolver.Calls);
        Assert.Equal(first.SocketErrorCode, cached.SocketErrorCode);
        Assert.NotSame(first, cached); // each caller gets its own exception to throw
        Assert.Contains(dead, cached.Message, StringComparison.Ordinal);

        time.Advance(Negative);
        await Assert.ThrowsAsync<SocketException>(() => cache.ResolveAsync(dead, CancellationToken.None).AsTask());
        Assert.Equal(2, resolver.Calls);
    }

    [Fact]
    public async Task Concurrent_lookups_of_one_name_share_a_single_query()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        int calls = 0;
        var cache = new DnsCache(lookup: async (host, ct) =>
        {
            Interlocked.Increment(ref calls);
            await gate.Task.WaitAsync(ct);
            return await Dns.GetHostAddressesAsync(host, ct);
        });

        var waiting = Enumerable.Range(0, 50).Select(_ => cache.ResolveAsync("localhost", CancellationToken.None).AsTask()).ToArray();
        Assert.All(waiting, task => Assert.False(task.IsCompleted));
        gate.SetResult();
        var answers = await Task.WhenAll(waiting);

        Assert.Equal(1, calls);
        Assert.All(answers, answer => Assert.Same(answers[0], answer));
        Assert.Contains(answers[0], IPAddress.IsLoopback);
    }

    [Fact]
    public async Task Lookups_of_different_names_run_at_the_same_time()
    {
        // Each lookup waits until both are in flight: with lookups run one after another this never finishes.
        var bothStarted = new CountdownEvent(2);
        var cache = new DnsCache(lookup: async (host, ct) =>
        {
            bothStarted.Signal();
            await Task.Run(() => bothStarted.Wait(TimeSpan.FromSeconds(10)), ct);
            return await Dns.GetHostAddressesAsync("localhost", ct);
        });

        var answers = await Task.WhenAll(
            cache.ResolveAsync("first.localhost", CancellationToken.None).AsTask(),
            cache.ResolveAsync("second.localhost", CancellationToken.None).AsTask());

        Assert.True(bothStarted.IsSet);
        Assert.All(answers, answer => Assert.Contains(answer, IPAddress.IsLoopback));
    }

    [Fact]
    public async Task A_caller_that_gives_up_does_not_cancel_the_lookup_for_the_others()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var cache = new DnsCache(lookup: async (host, ct) =>
        {
            await gate.Task.WaitAsync(ct);
            return await Dns.GetHostAddressesAsync(host, ct);
        });
        using var impatient = new CancellationTokenSource();

        var giveUp = cache.ResolveAsync("localhost", impatient.Token).AsTask();
        var wait = cache.ResolveAsync("localhost", CancellationToken.None).AsTask();
        await impatient.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => giveUp);
        gate.SetResult();

        Assert.Contains(await wait, IPAddress.IsLoopback);
    }

    [Fact]
    public async Task The_cache_keeps_at_most_its_bound_of_names()
    {
        // A list over a million hosts must not grow the cache without end; the names need not exist for this.
        var cache = new DnsCache(maxEntries: 10, lookup: (_, _) => Task.FromResult(new[] { IPAddress.Loopback }));

        for (int i = 0; i < 100; i++)
            await cache.ResolveAsync($"h{i}.bench.test", CancellationToken.None);

        Assert.InRange(cache.Count, 1, 10);
        Assert.Equal(100, cache.Lookups);
    }
}
