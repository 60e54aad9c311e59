namespace Quiver.Tests.Infrastructure;

/// <summary>One loopback server shared by the tests of a class.</summary>
public sealed class LoopbackServerFixture : IAsyncLifetime
{
    public LoopbackServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await LoopbackServer.StartAsync();

    public async Task DisposeAsync() => await Server.DisposeAsync();
}
