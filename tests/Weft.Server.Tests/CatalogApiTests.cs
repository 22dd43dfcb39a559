// The catalog API: /api/catalog filters the built-in catalog as `weft models` does, /api/catalog/{id} gives lineage and
// files, /v1/models entries carry their cards, and a pull started over /api/pulls lands in the cache and is then served.
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Weft.Catalog.Hub;
using Weft.Catalog.Tests.Hub;
using Weft.TestKit;

namespace Weft.Server.Tests;

public sealed class CatalogApiTests : IAsyncLifetime
{
    public const string BioRepo = "BioMistral/BioMistral-7B-GGUF", BioFile = "BioMistral-7B.Q4_K_M.gguf";
    private FakeHub hub = null!;
    private readonly string cache = Directory.CreateTempSubdirectory("weft-serve-cache-").FullName;

    /// <summary>A small runnable model that calls itself BioMistral-7B, so it matches that catalog entry.</summary>
    public static byte[] BioModel() => File.ReadAllBytes(TinyModels.Write(LiveServer.ChatSpec with { Name = "BioMistral-7B", Seed = 93 }));

    public async Task InitializeAsync()
    {
        hub = await FakeHub.StartAsync();
        hub.RepoName = BioRepo;
        hub.Files[BioFile] = BioModel();
    }

    public async Task DisposeAsync()
    {
        await hub.DisposeAsync();
        try { Directory.Delete(cache, true); } catch (IOException) { }
    }

    private Task<LiveServer> Start() => LiveServer.StartAsync(o => o with
    {
        Hub = new HubOptions { HfEndpoint = hub.HubUrl, HfCache = Path.Combine(cache, "hf"), OllamaRegistry = hub.HubUrl, OllamaModels = Path.Combine(cache, "ollama") },
    });

    private static async Task<JsonDocument> Json(HttpResponseMessage r, HttpStatusCode expected = HttpStatusCode.OK)
    {
        string body = await r.Content.ReadAsStringAsync();
        Assert.True(expected == r.StatusCode, $"{(int)r.StatusCode}: {body}");
        return JsonDocument.Parse(body);
    }

    [Fact]
    public async Task CatalogFiltersLikeTheCommandLine()
    {
        await using var server = await Start();
        using var doc = await Json(await server.Http.GetAsync("/api/catalog?task=medical&license=commercial"));
        var models = doc.RootElement.GetProperty("models").EnumerateArray().ToList();
        Assert.Contains(models, m => m.GetProperty("id").GetString() == "biomistral-7b");
        Assert.All(models, m => Assert.True(m.GetProperty("license").GetProperty("commercial").GetBoolean()));
        Assert.All(models, m => Assert.Contains(m.GetProperty("tasks").EnumerateArray(), t => t.GetString() == "medical"));
        var facets = doc.RootElement.GetProperty("facets");
        Assert.Contains(facets.GetProperty("tasks").EnumerateArray(), t => t.GetString() == "medical");
        Assert.Contains(facets.GetProperty("families").EnumerateArray(), t => t.GetString() == "falcon");

        using var all = await Json(await server.Http.GetAsync("/api/catalog"));
        using var small = await Json(await server.Http.GetAsync("/api/catalog?max_params=8&open=5&search=olmo"));
        var few = small.RootElement.GetProperty("models").EnumerateArray().ToList();
        Assert.NotEmpty(few);
        Assert.True(few.Count < all.RootElement.GetProperty("models").GetArrayLength());
        Assert.All(few, m => Assert.True(m.GetProperty("parameters").GetInt64() <= 8_000_000_000));
        Assert.All(few, m => Assert.Equal(5, m.GetProperty("openness").GetProperty("open").GetInt32()));

        using var fits = await Json(await server.Http.GetAsync("/api/catalog?fits_ram=true&quant=Q8_0"));
        long ram = fits.RootElement.GetProperty("free_ram_bytes").GetInt64();
        Assert.All(fits.RootElement.GetProperty("models").EnumerateArray(), m => Assert.True(m.GetProperty("sizes").EnumerateArray()
            .Single(s => s.GetProperty("quant").GetString() == "Q8_0").GetProperty("run_bytes").GetInt64() <= ram));

        foreach (var bad in new[] { "quant=Q9_9", "open=9", "max_params=lots", "open=-1" })
        {
            using var err = await Json(await server.Http.GetAsync("/api/catalog?" + bad), HttpStatusCode.BadRequest);
            Assert.False(string.IsNullOrEmpty(err.RootElement.GetProperty("error").GetProperty("message").GetString()));
        }
    }

    [Fact]
    public async Task AnEntryHasItsLineageScoresAndFiles()
    {
        await using var server = await Start();
        using var doc = await Json(await server.Http.GetAsync("/api/catalog/biomistral-7b"));
        var root = doc.RootElement;
        Assert.Equal(["mistral-7b", "mistral-7b-instruct-v0.1", "biomistral-7b"], root.GetProperty("ancestry").EnumerateArray().Select(a => a.GetProperty("id").GetString()));
        Assert.Equal("biomistral-7b", root.GetProperty("lineage").GetProperty("id").GetString());
        var entry = root.GetProperty("entry");
        Assert.Contains(entry.GetProperty("sizes").EnumerateArray(), s => s.TryGetProperty("file", out var f) && f.GetString() == BioFile
            && s.GetProperty("repo").GetString() == BioRepo);
        Assert.Equal(JsonValueKind.Array, entry.GetProperty("scores").ValueKind);
        Assert.Empty(root.GetProperty("local").EnumerateArray());

        using var mistral = await Json(await server.Http.GetAsync("/api/catalog/Mistral-7B-v0.1")); // by name too
        var instruct = mistral.RootElement.GetProperty("lineage").GetProperty("children").EnumerateArray()
            .Single(c => c.GetProperty("id").GetString() == "mistral-7b-instruct-v0.1");
        Assert.Equal("finetune", instruct.GetProperty("relation").GetString());
        Assert.All(mistral.RootElement.GetProperty("entry").GetProperty("scores").EnumerateArray(), sc => Assert.StartsWith("http", sc.GetProperty("source").GetString()));
        Assert.NotEmpty(mistral.RootElement.GetProperty("entry").GetProperty("scores").EnumerateArray());
        Assert.Contains(instruct.GetProperty("children").EnumerateArray(), c => c.GetProperty("id").GetString() == "biomistral-7b");
        await Json(await server.Http.GetAsync("/api/catalog/no-such-model"), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task ModelsCarryTheirCardAndTheCatalogEntryTheyMatch()
    {
        await using var server = await Start();
        File.WriteAllBytes(Path.Combine(server.ModelsFolder, "bio.gguf"), BioModel());
        using var doc = await Json(await server.Http.GetAsync("/v1/models"));
        var bio = doc.RootElement.GetProperty("data").EnumerateArray().Single(m => m.GetProperty("id").GetString() == "bio").GetProperty("meta");
        Assert.Equal("BioMistral-7B", bio.GetProperty("card").GetProperty("name").GetString());
        Assert.False(bio.GetProperty("card").TryGetProperty("source", out _), "the server's paths stay on the server");
        Assert.Equal("biomistral-7b", bio.GetProperty("catalog_id").GetString());
        Assert.Equal(5, bio.GetProperty("openness").EnumerateObject().Count(p => p.Value.ValueKind == JsonValueKind.Object));
        var chat = doc.RootElement.GetProperty("data").EnumerateArray().Single(m => m.GetProperty("id").GetString() == "chat").GetProperty("meta");
        Assert.Equal("serve-chat", chat.GetProperty("card").GetProperty("name").GetString());
        Assert.False(chat.TryGetProperty("catalog_id", out _));

        using var catalog = await Json(await server.Http.GetAsync("/api/catalog?search=biomistral"));
        Assert.Equal(["bio"], catalog.RootElement.GetProperty("models")[0].GetProperty("local").EnumerateArray().Select(x => x.GetString()));
    }

    [Fact]
    public async Task APullLandsInTheCacheAndIsServedInPlace()
    {
        await using var server = await Start();
        var start = await server.Http.PostAsJsonAsync("/api/pulls", new { spec = $"hf://{BioRepo}/{BioFile}" });
        using var started = await Json(start, HttpStatusCode.Accepted);
        string id = started.RootElement.GetProperty("id").GetString()!;
        JsonElement job = default;
        for (int i = 0; i < 200; i++)
        {
            using var poll = await Json(await server.Http.GetAsync($"/api/pulls/{id}"));
            job = poll.RootElement.Clone();
            if (job.GetProperty("status").GetString() != "running") break;
            await Task.Delay(100);
        }
        Assert.True(job.GetProperty("status").GetString() == "done", job.ToString());
        string model = $"hf.co/{BioRepo}/{BioFile}";
        Assert.Equal(model, job.GetProperty("model").GetString());
        Assert.Equal(hub.Files[BioFile].Length, job.GetProperty("total").GetInt64());
        string snapshot = Path.Combine(cache, "hf", "models--BioMistral--BioMistral-7B-GGUF", "snapshots", FakeHub.Commit, BioFile);
        Assert.Equal(hub.Files[BioFile], File.ReadAllBytes(snapshot));
        Assert.Empty(Directory.EnumerateFiles(server.ModelsFolder, "*BioMistral*", SearchOption.AllDirectories)); // run in place, not copied

        using var models = await Json(await server.Http.GetAsync("/v1/models"));
        var entry = models.RootElement.GetProperty("data").EnumerateArray().Single(m => m.GetProperty("id").GetString() == model).GetProperty("meta");
        Assert.Equal($"hf://{BioRepo}/{BioFile}", entry.GetProperty("pull_spec").GetString());
        Assert.Equal("biomistral-7b", entry.GetProperty("catalog_id").GetString());
        var answer = await server.Http.PostAsJsonAsync("/v1/chat/completions", new { model, messages = new[] { new { role = "user", content = "hi" } }, max_tokens = 4 });
        using var a = await Json(answer);
        Assert.Equal(model, a.RootElement.GetProperty("model").GetString());

        using var list = await Json(await server.Http.GetAsync("/api/pulls"));
        Assert.Contains(list.RootElement.GetProperty("data").EnumerateArray(), j => j.GetProperty("id").GetString() == id);
        using var again = await Json(await server.Http.PostAsJsonAsync("/api/pulls", new { spec = $"{BioRepo}:Q4_K_M" }), HttpStatusCode.Accepted);
        string second = again.RootElement.GetProperty("id").GetString()!;
        for (int i = 0; i < 100 && (await Json(await server.Http.GetAsync($"/api/pulls/{second}"))).RootElement.GetProperty("status").GetString() == "running"; i++)
            await Task.Delay(100);
        using var done = await Json(await server.Http.GetAsync($"/api/pulls/{second}"));
        Assert.True(done.RootElement.GetProperty("already_present").GetBoolean(), done.RootElement.ToString());
    }

    [Fact]
    public async Task BadPullsAreExplainedAndFailedOnesReportWhy()
    {
        await using (var server = await Start())
        {
            using var bad = await Json(await server.Http.PostAsJsonAsync("/api/pulls", new { spec = "ftp://nope" }), HttpStatusCode.BadRequest);
            Assert.Contains("valid forms", bad.RootElement.GetProperty("error").GetProperty("message").GetString());
            await Json(await server.Http.PostAsync("/api/pulls", new StringContent("{\"spec\":", System.Text.Encoding.UTF8, "application/json")), HttpStatusCode.BadRequest);
            await Json(await server.Http.GetAsync("/api/pulls/pull-999"), HttpStatusCode.NotFound);

            using var started = await Json(await server.Http.PostAsJsonAsync("/api/pulls", new { spec = $"hf://{BioRepo}/missing.gguf" }), HttpStatusCode.Accepted);
            string id = started.RootElement.GetProperty("id").GetString()!;
            JsonElement job = default;
            for (int i = 0; i < 100; i++)
            {
                using var poll = await Json(await server.Http.GetAsync($"/api/pulls/{id}"));
                job = poll.RootElement.Clone();
                if (job.GetProperty("status").GetString() != "running") break;
                await Task.Delay(100);
            }
            Assert.Equal("failed", job.GetProperty("status").GetString());
            Assert.Contains("missing.gguf", job.GetProperty("error").GetString());
        }
        await using var plain = await LiveServer.StartAsync(); // no pull cache
        using var off = await Json(await plain.Http.PostAsJsonAsync("/api/pulls", new { spec = $"{BioRepo}:Q4_K_M" }), HttpStatusCode.Conflict);
        Assert.Contains("--no-pulled", off.RootElement.GetProperty("error").GetProperty("message").GetString());
    }
}
