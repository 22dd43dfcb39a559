// Pulled models are found where pulls put them (and where other tools would): the Hugging Face cache and Ollama's folder.
using System.Text;
using Weft.Catalog.Hub;
using Weft.Catalog.Store;

namespace Weft.Catalog.Tests.Hub;

public sealed class PulledModelsTests : IAsyncLifetime
{
    private FakeHub hub = null!;
    private readonly TempFolder temp = new();

    public async Task InitializeAsync()
    {
        hub = await FakeHub.StartAsync();
        hub.Files["m.Q4_0.gguf"] = Encoding.ASCII.GetBytes("GGUF" + new string('a', 3000));
        hub.Files["sub/x-00001-of-00002.gguf"] = Encoding.ASCII.GetBytes("GGUF" + new string('b', 100));
        hub.Files["sub/x-00002-of-00002.gguf"] = Encoding.ASCII.GetBytes("GGUF" + new string('c', 100));
        hub.Files["README.md"] = "# card"u8.ToArray();
    }

    public async Task DisposeAsync()
    {
        await hub.DisposeAsync();
        temp.Dispose();
    }

    private HubOptions Options => new()
    {
        HfEndpoint = hub.HubUrl, HfCache = Path.Combine(temp.Path, "hf"), OllamaRegistry = hub.HubUrl, OllamaModels = Path.Combine(temp.Path, "ollama"),
    };

    private async Task<PullResult> Pull(string spec)
    {
        using var puller = new HubPuller(Options);
        return await puller.PullAsync(PullSpec.Parse(spec));
    }

    [Fact]
    public void NoCachesListNothing() => Assert.Empty(PulledModels.List(Options));

    [LinuxFact]
    public async Task HuggingFacePullsAreListedByRepoAndPathWithFirstShardsOnly()
    {
        var a = await Pull("hf://owner/repo/m.Q4_0.gguf");
        await Pull("hf://owner/repo/sub/x-00001-of-00002.gguf");
        await Pull("hf://owner/repo/sub/x-00002-of-00002.gguf");
        var list = PulledModels.List(Options);
        Assert.Equal(["hf.co/owner/repo/m.Q4_0.gguf", "hf.co/owner/repo/sub/x-00001-of-00002.gguf"], list.Select(m => m.Id));
        var m = list[0];
        Assert.Equal(a.Path, m.Path);
        Assert.Equal(3004, m.Bytes);
        Assert.Equal("hf://owner/repo/m.Q4_0.gguf", m.PullSpec);
        var again = PullSpec.Parse(m.PullSpec); // the spec parses back to the same file
        Assert.Equal(("owner/repo", "m.Q4_0.gguf"), (again.Repo, again.File));
    }

    [LinuxFact]
    public async Task AReferencedSnapshotWinsOverAnOldOneAndDanglingLinksAreSkipped()
    {
        var a = await Pull("hf://owner/repo/m.Q4_0.gguf");
        string repoDir = Path.Combine(Options.HfCache, "models--owner--repo");
        // an older commit with the same file, not named by any ref
        string old = Path.Combine(repoDir, "snapshots", new string('e', 40));
        Directory.CreateDirectory(old);
        File.WriteAllText(Path.Combine(old, "m.Q4_0.gguf"), "GGUF old");
        // a link whose blob is gone (a download deleted half-way)
        File.CreateSymbolicLink(Path.Combine(old, "gone.gguf"), Path.Combine("..", "..", "blobs", "missing"));
        var list = PulledModels.HuggingFace(Options.HfCache);
        Assert.Equal(a.Path, Assert.Single(list).Path);
    }

    [Fact]
    public async Task OllamaPullsAreListedWithTheirBlobAndRegistry()
    {
        byte[] gguf = Encoding.ASCII.GetBytes("GGUF" + new string('x', 2000));
        string digest = hub.AddOllamaModel("library/tiny:7b", gguf, "{{ .Prompt }}", "{}", "MIT");
        var r = await Pull("ollama://tiny:7b");
        var host = new Uri(hub.HubUrl);
        var m = Assert.Single(PulledModels.Ollama(Options.OllamaModels));
        Assert.Equal($"ollama/{host.Host}:{host.Port}/library/tiny:7b", m.Id); // not the default registry: its host is named
        Assert.Equal(r.Path, m.Path);
        Assert.Equal(gguf.Length, m.Bytes);
        // a manifest whose model blob is incomplete, and one that is not JSON, are not models
        File.WriteAllBytes(r.Path, gguf[..100]);
        string manifests = Path.Combine(Options.OllamaModels, "manifests", $"{host.Host}:{host.Port}", "library", "junk");
        Directory.CreateDirectory(manifests);
        File.WriteAllText(Path.Combine(manifests, "latest"), "<html>");
        Assert.Empty(PulledModels.Ollama(Options.OllamaModels));
        Assert.StartsWith("sha256:", digest, StringComparison.Ordinal);
    }

    [Fact]
    public void TheDefaultRegistryDropsHostAndLibrary()
    {
        string root = Path.Combine(temp.Path, "ollama2");
        byte[] blob = "GGUF1234"u8.ToArray();
        string digest = "sha256:" + FakeHub.Sha(blob);
        var store = new OllamaStore(root);
        Directory.CreateDirectory(Path.Combine(root, "blobs"));
        File.WriteAllBytes(store.BlobPath(digest), blob);
        string manifest = $$"""{"schemaVersion":2,"layers":[{"mediaType":"{{OllamaClient.ModelLayer}}","digest":"{{digest}}","size":{{blob.Length}}}]}""";
        store.WriteManifest("registry.ollama.ai", "library/llama2", "7b", manifest);
        store.WriteManifest("registry.ollama.ai", "someone/tuned", "q4", manifest);
        var list = PulledModels.Ollama(root);
        Assert.Equal(["ollama/llama2:7b", "ollama/someone/tuned:q4"], list.Select(m => m.Id));
        Assert.Equal(["ollama://llama2:7b", "ollama://someone/tuned:q4"], list.Select(m => m.PullSpec));
    }
}
