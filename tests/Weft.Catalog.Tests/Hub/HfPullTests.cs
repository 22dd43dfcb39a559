using Weft.Catalog.Hub;
using Weft.Catalog.Store;

namespace Weft.Catalog.Tests.Hub;

public sealed class HfPullTests : IAsyncLifetime
{
    private FakeHub hub = null!;
    private readonly TempFolder temp = new();
    private readonly byte[] model = RandomBytes(300_000, 1);

    public async Task InitializeAsync()
    {
        hub = await FakeHub.StartAsync();
        hub.Files["m.Q4_K_M.gguf"] = model;
        hub.Files["m.Q4_K_S.gguf"] = RandomBytes(1000, 2);
        hub.Files["m.Q8_0.gguf"] = RandomBytes(2000, 3);
        hub.Files["sub/dir/x.gguf"] = RandomBytes(5000, 4);
        hub.Files["README.md"] = "# card"u8.ToArray();
    }

    public async Task DisposeAsync()
    {
        await hub.DisposeAsync();
        temp.Dispose();
    }

    private static byte[] RandomBytes(int n, int seed)
    {
        var b = new byte[n];
        new Random(seed).NextBytes(b);
        return b;
    }

    private HubOptions Options(string? token = null) => new()
    {
        HfEndpoint = hub.HubUrl, HfToken = token, HfCache = Path.Combine(temp.Path, "hf"),
        OllamaRegistry = hub.HubUrl, OllamaModels = Path.Combine(temp.Path, "ollama"),
    };

    private async Task<PullResult> Pull(string spec, string? token = null, Action<DownloadProgress>? progress = null)
    {
        using var puller = new HubPuller(Options(token));
        return await puller.PullAsync(PullSpec.Parse(spec), progress);
    }

    private string RepoFolder => Path.Combine(temp.Path, "hf", "models--owner--repo");

    [Fact]
    public async Task PullWritesTheStandardCacheLayout()
    {
        var r = await Pull("hf://owner/repo/m.Q4_K_M.gguf");
        string sha = FakeHub.Sha(model);
        Assert.Equal(Path.Combine(RepoFolder, "snapshots", FakeHub.Commit, "m.Q4_K_M.gguf"), r.Path);
        Assert.Equal(FakeHub.Commit, File.ReadAllText(Path.Combine(RepoFolder, "refs", "main")));
        Assert.Equal(model, File.ReadAllBytes(Path.Combine(RepoFolder, "blobs", sha)));
        var link = new FileInfo(r.Path);
        Assert.Equal(Path.Combine("..", "..", "blobs", sha), link.LinkTarget); // relative, as huggingface_hub writes it
        Assert.Equal(model, File.ReadAllBytes(r.Path));
        Assert.False(r.AlreadyPresent);
        Assert.Empty(Directory.GetFiles(Path.Combine(RepoFolder, "blobs"), "*.incomplete"));
    }

    [Fact]
    public async Task SubfolderFileLinksWithDeeperRelativePath()
    {
        var r = await Pull("hf://owner/repo/sub/dir/x.gguf");
        Assert.Equal(Path.Combine("..", "..", "..", "..", "blobs", FakeHub.Sha(hub.Files["sub/dir/x.gguf"])), new FileInfo(r.Path).LinkTarget);
        Assert.Equal(hub.Files["sub/dir/x.gguf"], File.ReadAllBytes(r.Path));
    }

    [Fact]
    public async Task SecondPullFindsTheFileWithoutTheNetwork()
    {
        await Pull("hf://owner/repo/m.Q4_K_M.gguf");
        int before = hub.Requests.Count;
        var again = await Pull("hf://owner/repo/m.Q4_K_M.gguf");
        Assert.True(again.AlreadyPresent);
        Assert.Equal(before, hub.Requests.Count);
    }

    [Fact]
    public async Task FilesPulledByOtherToolsAreFound()
    {
        // the layout huggingface_hub leaves, written by hand
        var cache = new HfCache(Path.Combine(temp.Path, "hf"));
        Directory.CreateDirectory(Path.Combine(RepoFolder, "blobs"));
        File.WriteAllBytes(cache.BlobPath(FakeHub.Repo, "abc"), [7, 7, 7]);
        cache.WriteRef(FakeHub.Repo, "main", FakeHub.Commit);
        cache.LinkSnapshot(FakeHub.Repo, FakeHub.Commit, "other.gguf", "abc");
        var r = await Pull("hf://owner/repo/other.gguf");
        Assert.True(r.AlreadyPresent);
        Assert.Equal([7, 7, 7], File.ReadAllBytes(r.Path));
        Assert.Empty(hub.Requests);
    }

    [Fact]
    public async Task QuantFormPicksTheFileOfThatType()
    {
        var r = await Pull("owner/repo:Q4_K_M");
        Assert.EndsWith("m.Q4_K_M.gguf", r.Path, StringComparison.Ordinal);
        Assert.Equal(model, File.ReadAllBytes(r.Path));
        int before = hub.Requests.Count;
        var again = await Pull("owner/repo:Q4_K_M");
        Assert.True(again.AlreadyPresent);
        Assert.Equal(r.Path, again.Path);
        Assert.Equal(before, hub.Requests.Count); // found in the snapshot, no request
        var e = await Assert.ThrowsAsync<HubException>(() => Pull("owner/repo:Q2_K"));
        Assert.Contains("m.Q8_0.gguf", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TokenGoesToTheHubButNotToTheRedirectHost()
    {
        hub.RequireToken = true;
        var r = await Pull("hf://owner/repo/m.Q4_K_M.gguf", FakeHub.Token);
        Assert.Equal(model, File.ReadAllBytes(r.Path));
        Assert.All(hub.Requests.Where(q => q.Server == "hub"), q => Assert.Equal("Bearer " + FakeHub.Token, q.Authorization));
        var cdn = hub.Requests.Where(q => q.Server == "cdn").ToList();
        Assert.NotEmpty(cdn);
        Assert.All(cdn, q => Assert.Null(q.Authorization));
    }

    [Fact]
    public async Task RedirectFollowedByHttpDropsAuthorization()
    {
        using var http = new HubHttp(hub.HubUrl, FakeHub.Token);
        using var response = await http.SendAsync(HttpMethod.Get, new Uri($"{hub.HubUrl}/{FakeHub.Repo}/resolve/main/m.Q8_0.gguf"), null, true, default);
        Assert.Equal(hub.Files["m.Q8_0.gguf"], await response.Content.ReadAsByteArrayAsync());
        Assert.Equal("Bearer " + FakeHub.Token, hub.Requests.Single(q => q.Server == "hub").Authorization);
        Assert.Null(hub.Requests.Single(q => q.Server == "cdn").Authorization);
    }

    [Fact]
    public async Task RelativeRedirectsAreFollowedUntilTheHeadersCome()
    {
        hub.RelativeRedirect = true;
        var r = await Pull("hf://owner/repo/m.Q4_K_M.gguf", FakeHub.Token);
        Assert.Equal(model, File.ReadAllBytes(r.Path));
        var heads = hub.Requests.Where(q => q.Method == "HEAD").ToList();
        Assert.Equal(2, heads.Count);
        Assert.All(heads, q => Assert.Equal("Bearer " + FakeHub.Token, q.Authorization)); // same host keeps the token
        Assert.EndsWith("?hop=1", heads[1].Path, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnauthorizedWithoutTokenIsExplained()
    {
        hub.RequireToken = true;
        var e = await Assert.ThrowsAsync<HubException>(() => Pull("hf://owner/repo/m.Q4_K_M.gguf"));
        Assert.Contains("HF_TOKEN", e.Message, StringComparison.Ordinal);
        Assert.Contains("gated", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HtmlInsteadOfJsonIsAClearError()
    {
        hub.AnswerHtml = true;
        var e = await Assert.ThrowsAsync<HubException>(() => Pull("hf://owner/repo/m.Q4_K_M.gguf"));
        Assert.Contains("HTML instead of JSON", e.Message, StringComparison.Ordinal);
        Assert.Contains(hub.HubUrl, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sha256MismatchDeletesThePartialAndNeverNamesTheBlob()
    {
        hub.CorruptFiles.Add("m.Q4_K_M.gguf");
        var e = await Assert.ThrowsAsync<HubException>(() => Pull("hf://owner/repo/m.Q4_K_M.gguf"));
        Assert.Contains("sha256", e.Message, StringComparison.Ordinal);
        var blobs = Directory.GetFiles(Path.Combine(RepoFolder, "blobs"));
        Assert.DoesNotContain(blobs, f => !f.EndsWith(".lock", StringComparison.Ordinal));
        Assert.False(Directory.Exists(Path.Combine(RepoFolder, "snapshots")));
    }

    [Fact]
    public async Task DroppedConnectionLeavesAPartialThatTheNextPullResumesWithRange()
    {
        hub.DropAfter = 100_000;
        var e = await Assert.ThrowsAsync<HubException>(() => Pull("hf://owner/repo/m.Q4_K_M.gguf"));
        Assert.Contains("resume", e.Message, StringComparison.Ordinal);
        string blob = Path.Combine(RepoFolder, "blobs", FakeHub.Sha(model));
        Assert.False(File.Exists(blob));
        Assert.Equal(100_000, new FileInfo(blob + ".incomplete").Length);

        var r = await Pull("hf://owner/repo/m.Q4_K_M.gguf");
        Assert.Equal(model, File.ReadAllBytes(r.Path));
        Assert.Equal("bytes=100000-", hub.Requests.Last(q => q.Server == "cdn").Range);
        Assert.False(File.Exists(blob + ".incomplete"));
    }

    [Fact]
    public async Task A416OnAWholePartialIsVerifiedAndRenamed()
    {
        string blob = Path.Combine(RepoFolder, "blobs", FakeHub.Sha(model));
        Directory.CreateDirectory(Path.GetDirectoryName(blob)!);
        File.WriteAllBytes(blob + ".incomplete", model);
        var r = await Pull("hf://owner/repo/m.Q4_K_M.gguf");
        Assert.Equal(model, File.ReadAllBytes(r.Path));
        Assert.Equal($"bytes={model.Length}-", hub.Requests.Single(q => q.Server == "cdn").Range);
    }

    [Fact]
    public async Task A200ToARangeRequestRestartsFromZero()
    {
        hub.IgnoreRange = true;
        string blob = Path.Combine(RepoFolder, "blobs", FakeHub.Sha(model));
        Directory.CreateDirectory(Path.GetDirectoryName(blob)!);
        File.WriteAllBytes(blob + ".incomplete", RandomBytes(5000, 99)); // a wrong prefix that must not be kept
        var r = await Pull("hf://owner/repo/m.Q4_K_M.gguf");
        Assert.Equal(model, File.ReadAllBytes(r.Path));
        Assert.Equal("bytes=5000-", hub.Requests.Single(q => q.Server == "cdn").Range);
    }

    [Fact]
    public async Task TwoPullsOfOneFileAtOnceFetchItOnce()
    {
        hub.BodyDelay = TimeSpan.FromMilliseconds(300);
        var both = await Task.WhenAll(Pull("hf://owner/repo/m.Q4_K_M.gguf"), Pull("hf://owner/repo/m.Q4_K_M.gguf"));
        Assert.Equal(both[0].Path, both[1].Path);
        Assert.Equal(model, File.ReadAllBytes(both[0].Path));
        Assert.Single(hub.Requests, q => q.Server == "cdn");
        Assert.Single(both, b => b.AlreadyPresent);
    }

    [Fact]
    public async Task ProgressReportsBytesTotalAndSpeed()
    {
        var reports = new List<DownloadProgress>();
        await Pull("hf://owner/repo/m.Q4_K_M.gguf", progress: reports.Add);
        Assert.NotEmpty(reports);
        var last = reports[^1];
        Assert.Equal((long)model.Length, last.Bytes);
        Assert.Equal(model.Length, last.Total);
        Assert.True(reports.Zip(reports.Skip(1)).All(p => p.First.Bytes <= p.Second.Bytes));
    }

    [LinuxFact]
    public async Task FullDiskIsReportedAndNoBlobAppears()
    {
        // the partial is a link to /dev/full, where every write fails with ENOSPC
        string blob = Path.Combine(RepoFolder, "blobs", FakeHub.Sha(model));
        Directory.CreateDirectory(Path.GetDirectoryName(blob)!);
        File.CreateSymbolicLink(blob + ".incomplete", "/dev/full");
        var e = await Assert.ThrowsAsync<HubException>(() => Pull("hf://owner/repo/m.Q4_K_M.gguf"));
        Assert.Contains("disk full", e.Message, StringComparison.Ordinal);
        Assert.Contains(".incomplete", e.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(blob));
    }

    [Fact]
    public async Task MissingFileListsWhatTheRepositoryHas()
    {
        var e = await Assert.ThrowsAsync<HubException>(() => Pull("hf://owner/repo/nope.gguf"));
        Assert.Contains("nope.gguf", e.Message, StringComparison.Ordinal);
        Assert.Contains("m.Q8_0.gguf", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CancellationLeavesAResumablePartial()
    {
        hub.BodyDelay = TimeSpan.FromMilliseconds(50);
        using var cts = new CancellationTokenSource();
        using var puller = new HubPuller(Options());
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => puller.PullAsync(PullSpec.Parse("hf://owner/repo/m.Q4_K_M.gguf"),
            p => { if (p.Bytes > 0) cts.Cancel(); }, cts.Token));
        string blob = Path.Combine(RepoFolder, "blobs", FakeHub.Sha(model));
        Assert.False(File.Exists(blob));
        var r = await Pull("hf://owner/repo/m.Q4_K_M.gguf");
        Assert.Equal(model, File.ReadAllBytes(r.Path));
    }
}
