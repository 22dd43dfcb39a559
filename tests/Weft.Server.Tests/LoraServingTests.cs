// `weft serve --lora`: an adapter applies to every model it fits and to no other; one that fits none stops the start.
using Weft.Models.Adapters;
using Weft.Server.Hosting;
using Weft.TestKit;

namespace Weft.Server.Tests;

public sealed class LoraServingTests
{
    [Fact]
    public async Task An_adapter_applies_to_the_models_it_fits_only()
    {
        string chat = TinyModels.Write(LiveServer.ChatSpec);
        string adapter = RandomAdapters.Write(chat, [Weft.Models.TensorNames.AttnQ(0), Weft.Models.TensorNames.FfnDown(1)], rank: 2, alpha: 4, seed: 3);
        try
        {
            await using var server = await LiveServer.StartAsync(o => o with { Adapters = [new LoraSpec(adapter, 0.5f)] });
            using var pool = new ModelPool(new ModelCatalog(server.ModelsFolder), server.Options);
            var fitted = await pool.GetAsync("chat");
            Assert.Single(fitted.Model.Adapters);
            Assert.Equal(0.5f, fitted.Model.Adapters[0].Scale);
            Assert.False(fitted.Model.Lora.IsEmpty);
            var other = await pool.GetAsync("slow");
            Assert.Empty(other.Model.Adapters);
            // the running server answers with the adapted model
            var response = await server.Http.PostAsync("/v1/completions", new StringContent(
                """{"model":"chat","prompt":"Hello","max_tokens":3,"temperature":0}""", System.Text.Encoding.UTF8, "application/json"));
            Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        }
        finally
        {
            File.Delete(adapter);
        }
    }

    [Fact]
    public async Task A_variant_serves_the_adapted_model_beside_its_base()
    {
        string chat = TinyModels.Write(LiveServer.ChatSpec);
        string adapter = RandomAdapters.Write(chat, RandomAdapters.AllProjections(chat), rank: 4, alpha: 8, seed: 7, bStd: 0.5f);
        string stem = Path.GetFileNameWithoutExtension(adapter);
        try
        {
            await using var both = await LiveServer.StartAsync(o => o with { AdapterVariants = [new LoraSpec(adapter, 2f)] });
            await using var adapted = await LiveServer.StartAsync(o => o with { Adapters = [new LoraSpec(adapter, 2f)] });
            string variant = $"chat+{stem}@2";
            using (var models = System.Text.Json.JsonDocument.Parse(await both.Http.GetStringAsync("/v1/models")))
            {
                var ids = models.RootElement.GetProperty("data").EnumerateArray().Select(m => m.GetProperty("id").GetString()).ToList();
                Assert.Contains("chat", ids);
                Assert.Contains(variant, ids);
                Assert.DoesNotContain($"slow+{stem}@2", ids); // the adapter does not fit the other model
                var meta = models.RootElement.GetProperty("data").EnumerateArray().Single(m => m.GetProperty("id").GetString() == variant).GetProperty("meta");
                Assert.Equal("chat", meta.GetProperty("base").GetString());
                Assert.Equal(Path.GetFileName(adapter), meta.GetProperty("adapters")[0].GetString());
            }
            async Task<string> Answer(LiveServer server, string model)
            {
                var r = await server.Http.PostAsync("/v1/completions", new StringContent(
                    $$"""{"model":"{{model}}","prompt":"Hello there","max_tokens":8,"temperature":0}""", System.Text.Encoding.UTF8, "application/json"));
                string body = await r.Content.ReadAsStringAsync();
                Assert.True(r.IsSuccessStatusCode, body);
                using var doc = System.Text.Json.JsonDocument.Parse(body);
                return doc.RootElement.GetProperty("choices")[0].GetProperty("text").GetString()!;
            }
            string withAdapter = await Answer(both, variant);
            Assert.Equal(await Answer(adapted, "chat"), withAdapter); // the variant is the model with the adapter
            Assert.NotEqual(await Answer(both, "chat"), withAdapter); // and the base stays the base
        }
        finally
        {
            File.Delete(adapter);
        }
    }

    [Fact]
    public async Task An_adapter_that_fits_no_model_stops_the_start()
    {
        string other = TinyModels.Write(new Weft.Models.Synthetic.SyntheticModelSpec { Name = "serve-lora-other", Embedding = 96, Heads = 4, KvHeads = 2, FeedForward = 128, Seed = 5 });
        string adapter = RandomAdapters.Write(other, [Weft.Models.TensorNames.AttnQ(0)], rank: 2, alpha: 4, seed: 3);
        try
        {
            var e = await Assert.ThrowsAsync<AdapterException>(() => LiveServer.StartAsync(o => o with { Adapters = [new LoraSpec(adapter)] }));
            Assert.Contains("fits none of the 2 models", e.Message);
            Assert.Contains("blk.0.attn_q.weight", e.Message);
        }
        finally
        {
            File.Delete(adapter);
        }
    }
}
