// One live server shared by the tests of a class.
namespace Weft.Server.Tests;

public sealed class ServerFixture : IAsyncLifetime
{
    public LiveServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await LiveServer.StartAsync(o => o with { QueueLimit = 4 });

    public async Task DisposeAsync() => await Server.DisposeAsync();
}
