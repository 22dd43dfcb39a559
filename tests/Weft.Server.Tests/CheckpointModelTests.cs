// A Hugging Face checkpoint folder in the models folder: listed by its folder name with its metadata, loaded on first
// use, chatted with through the OpenAI SDK; ids that look like paths are refused.
using System.ClientModel;
using System.Net;
using System.Text.Json;
using OpenAI;
using OpenAI.Chat;
using Weft.Formats.Safetensors;
using Weft.Inference.Chat;
using Weft.Models;
using Weft.Models.Synthetic;
using Weft.Models.Tests.Checkpoints;
using Weft.TestKit;
using TemplateMessage = Weft.Inference.Templates.ChatMessage;

namespace Weft.Server.Tests;

public sealed class CheckpointModelTests : IAsyncLifetime
{
    private static readonly SyntheticModelSpec Spec = new()
    {
        Name = "serve-ckpt", Embedding = 64, Heads = 4, KvHeads = 2, Layers = 2, FeedForward = 128, Seed = 73, Context = 256,
    };

    private LiveServer _server = null!;
    private string _gguf = null!;

    public async Task InitializeAsync()
    {
        _server = await LiveServer.StartAsync();
        _gguf = TinyModels.Write(Spec);
        HfCheckpointWriter.Write(_gguf, Path.Combine(_server.ModelsFolder, "tiny-hf"), "llama", SafetensorsDtype.BF16);
        // a folder without weights is not a model
        Directory.CreateDirectory(Path.Combine(_server.ModelsFolder, "notes"));
        File.WriteAllText(Path.Combine(_server.ModelsFolder, "notes", "config.json"), "{}");
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private static JsonElement Entry(JsonElement list, string id) =>
        list.GetProperty("data").EnumerateArray().First(m => m.GetProperty("id").GetString() == id);

    [Fact]
    public async Task CheckpointFoldersAreListedWithTheirMetadata()
    {
        var (status, json) = await RawHttp.GetAsync(_server.Http, "/v1/models");
        Assert.Equal(HttpStatusCode.OK, status);
        var ids = json.GetProperty("data").EnumerateArray().Select(m => m.GetProperty("id").GetString()).ToList();
        Assert.Equal(["broken", "chat", "slow", "tiny-hf"], ids);
        var meta = Entry(json, "tiny-hf").GetProperty("meta");
        Assert.Equal("safetensors", meta.GetProperty("format").GetString());
        Assert.Equal("llama", meta.GetProperty("architecture").GetString());
        Assert.Equal("BF16", meta.GetProperty("type").GetString());
        Assert.Equal(Spec.Context, meta.GetProperty("context_length").GetInt32());
        Assert.False(meta.GetProperty("loaded").GetBoolean());
        using (var model = Model.Load(_gguf))
            Assert.Equal(model.File.Tensors.Sum(t => t.ElementCount), meta.GetProperty("parameters").GetInt64());
        Assert.True(meta.GetProperty("bytes").GetInt64() > 0);
        var gguf = Entry(json, "chat").GetProperty("meta");
        Assert.Equal("gguf", gguf.GetProperty("format").GetString());
        Assert.Equal("F32", gguf.GetProperty("type").GetString());

        var (one, single) = await RawHttp.GetAsync(_server.Http, "/v1/models/tiny-hf");
        Assert.Equal(HttpStatusCode.OK, one);
        Assert.Equal("tiny-hf", single.GetProperty("id").GetString());
    }

    [Fact]
    public async Task ACheckpointLoadsOnFirstUseAndChats()
    {
        var client = new OpenAIClient(new ApiKeyCredential("unused"), new OpenAIClientOptions { Endpoint = new Uri(_server.BaseAddress, "/v1") });
        ChatCompletion answer = await client.GetChatClient("tiny-hf").CompleteChatAsync(
            [new UserChatMessage("Hello there")], new ChatCompletionOptions { Temperature = 0, MaxOutputTokenCount = 8 });
        Assert.Equal(ChatMessageRole.Assistant, answer.Role);
        Assert.True(answer.Usage.OutputTokenCount > 0 || answer.FinishReason == ChatFinishReason.Stop);
        // the prompt went through the checkpoint's own chat template (tokenizer_config.json)
        using var model = Model.Load(Path.Combine(_server.ModelsFolder, "tiny-hf"));
        var formatter = ChatFormatter.ForModel(model);
        Assert.Contains("[user] Hello there\n", formatter.Render([TemplateMessage.Text("user", "Hello there")]), StringComparison.Ordinal);
        Assert.Equal(formatter.Tokens([TemplateMessage.Text("user", "Hello there")]).Length, answer.Usage.InputTokenCount);

        var (_, json) = await RawHttp.GetAsync(_server.Http, "/v1/models");
        Assert.True(Entry(json, "tiny-hf").GetProperty("meta").GetProperty("loaded").GetBoolean());
    }

    [Fact]
    public async Task IdsThatLookLikePathsAre404()
    {
        string outside = Path.Combine(Path.GetDirectoryName(_server.ModelsFolder)!, "x");
        foreach (string id in new[] { "../x", "../tiny-hf", "./tiny-hf", "tiny-hf/", "tiny-hf/config", outside, Path.Combine(_server.ModelsFolder, "tiny-hf"), Path.Combine(_server.ModelsFolder, "chat.gguf"), "notes" })
        {
            var (status, json, _) = await RawHttp.PostAsync(_server.Http, "/v1/chat/completions",
                $"{{\"model\":{JsonSerializer.Serialize(id)},\"messages\":[{{\"role\":\"user\",\"content\":\"hi\"}}]}}");
            Assert.Equal(HttpStatusCode.NotFound, status);
            var e = RawHttp.AssertError(json, "does not exist");
            Assert.Equal("model_not_found", e.GetProperty("code").GetString());
            Assert.Equal("model", e.GetProperty("param").GetString());
        }
    }
}
