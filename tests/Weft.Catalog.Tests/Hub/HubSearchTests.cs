using Weft.Catalog.Hub;

namespace Weft.Catalog.Tests.Hub;

public sealed class HubSearchTests : IAsyncLifetime
{
    private FakeHub hub = null!;

    public async Task InitializeAsync() => hub = await FakeHub.StartAsync();

    public async Task DisposeAsync() => await hub.DisposeAsync();

    [Fact]
    public async Task SearchAsksForGgufByDownloadsAndReadsTheHits()
    {
        using var puller = new HubPuller(new HubOptions { HfEndpoint = hub.HubUrl });
        var hits = await puller.SearchAsync("mistral 7b", 5);
        string query = hub.Requests.Single().Path;
        Assert.StartsWith("/api/models?search=mistral%207b&filter=gguf&sort=downloads", query, StringComparison.Ordinal);
        Assert.Contains("limit=5", query, StringComparison.Ordinal);
        Assert.Equal(["TheBloke/Mistral-7B-v0.1-GGUF", "BioMistral/BioMistral-7B-GGUF"], hits.Select(h => h.Id));
        Assert.Equal((900L, 50L), (hits[0].Downloads, hits[0].Likes));
        Assert.Contains("medical", hits[1].Tags);
        Assert.Equal(new DateTimeOffset(2024, 1, 2, 3, 4, 5, TimeSpan.Zero), hits[0].LastModified);
    }

    [Fact]
    public async Task HtmlAnswerIsAClearError()
    {
        hub.AnswerHtml = true;
        using var puller = new HubPuller(new HubOptions { HfEndpoint = hub.HubUrl });
        var e = await Assert.ThrowsAsync<HubException>(() => puller.SearchAsync("x", 3));
        Assert.Contains("HTML instead of JSON", e.Message, StringComparison.Ordinal);
    }
}
