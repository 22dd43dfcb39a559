using System.Text;
using Weft.Catalog.Hub;

namespace Weft.Catalog.Tests.Hub;

public sealed class OllamaPullTests : IAsyncLifetime
{
    private FakeHub hub = null!;
    private readonly TempFolder temp = new();
    private readonly byte[] gguf = Encoding.ASCII.GetBytes("GGUF" + new string('x', 4000));

    public async Task InitializeAsync() => hub = await FakeHub.StartAsync();

    public async Task DisposeAsync()
    {
        await hub.DisposeAsync();
        temp.Dispose();
    }

    private string Models => Path.Combine(temp.Path, "ollama");

    private async Task<PullResult> Pull(string spec)
    {
        using var puller = new HubPuller(new HubOptions { HfEndpoint = hub.HubUrl, HfCache = temp.Path, OllamaRegistry = hub.HubUrl, OllamaModels = Models });
        return await puller.PullAsync(PullSpec.Parse(spec));
    }

    [Fact]
    public async Task ManifestAndLayersLandInOllamasLayout()
    {
        string digest = hub.AddOllamaModel("library/tiny:7b", gguf, "{{ .Prompt }}", "{\"stop\":[\"</s>\"]}", "Apache-2.0 text");
        var r = await Pull("ollama://tiny:7b");
        Assert.Equal(Path.Combine(Models, "blobs", digest.Replace(':', '-')), r.Path);
        Assert.Equal(gguf, File.ReadAllBytes(r.Path));
        var host = new Uri(hub.HubUrl);
        string manifest = Path.Combine(Models, "manifests", $"{host.Host}:{host.Port}", "library", "tiny", "7b");
        Assert.Contains(digest, File.ReadAllText(manifest), StringComparison.Ordinal);
        Assert.Equal(new OllamaModelInfo("{{ .Prompt }}", "{\"stop\":[\"</s>\"]}", "Apache-2.0 text", null), r.Ollama);
        foreach (var blob in hub.OllamaBlobs.Keys) Assert.True(File.Exists(Path.Combine(Models, "blobs", blob.Replace(':', '-'))), blob);
        Assert.True((await Pull("ollama://tiny:7b")).AlreadyPresent);
    }

    [Fact]
    public async Task DigestMismatchIsRefused()
    {
        string digest = hub.AddOllamaModel("library/tiny:bad", gguf, "t", "{}", "l", corruptModel: true);
        var e = await Assert.ThrowsAsync<HubException>(() => Pull("ollama://tiny:bad"));
        Assert.Contains("sha256", e.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(Models, "blobs", digest.Replace(':', '-'))));
        Assert.False(Directory.Exists(Path.Combine(Models, "manifests")));
    }

    [Fact]
    public async Task UnknownTagIsNotFound()
    {
        var e = await Assert.ThrowsAsync<HubException>(() => Pull("ollama://nothing:here"));
        Assert.Contains("not found", e.Message, StringComparison.Ordinal);
    }
}
