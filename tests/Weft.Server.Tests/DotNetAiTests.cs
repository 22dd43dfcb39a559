// IChatClient and IEmbeddingGenerator in process: the same answers and embeddings as the HTTP API, options honoured,
// safe to call from many threads at once.
using System.Net;
using System.Text.Json;
using Microsoft.Extensions.AI;
using Weft.Server.DotNetAi;
using Weft.Server.Hosting;

namespace Weft.Server.Tests;

public sealed class DotNetAiTests : IAsyncLifetime
{
    private LiveServer _server = null!;
    private ModelPool _pool = null!;

    public async Task InitializeAsync()
    {
        _server = await LiveServer.StartAsync();
        var options = new ServerOptions { ModelsDirectory = _server.ModelsFolder, Threads = 2, Parallel = 3 };
        _pool = new ModelPool(new ModelCatalog(options.ModelsDirectory), options);
    }

    public async Task DisposeAsync()
    {
        _pool.Dispose();
        await _server.DisposeAsync();
    }

    private static ChatOptions Greedy(int max) => new() { Temperature = 0, MaxOutputTokens = max };

    private async Task<JsonElement> HttpChat(string user, int max)
    {
        var body = JsonSerializer.Serialize(new { model = "chat", messages = new[] { new { role = "user", content = user } }, max_tokens = max, temperature = 0 });
        var (status, json, _) = await RawHttp.PostAsync(_server.Http, "/v1/chat/completions", body);
        Assert.Equal(HttpStatusCode.OK, status);
        return json;
    }

    [Fact]
    public async Task ChatResponseIsTheHttpAnswer()
    {
        IChatClient client = new WeftChatClient(_pool, "chat");
        var response = await client.GetResponseAsync([new ChatMessage(ChatRole.User, "Tell me about rivers")], Greedy(20));
        var json = await HttpChat("Tell me about rivers", 20);
        var choice = json.GetProperty("choices")[0];
        Assert.Equal(choice.GetProperty("message").GetProperty("content").GetString(), response.Text);
        Assert.Equal(choice.GetProperty("finish_reason").GetString() == "stop" ? ChatFinishReason.Stop : ChatFinishReason.Length, response.FinishReason);
        Assert.Equal(json.GetProperty("usage").GetProperty("prompt_tokens").GetInt32(), response.Usage!.InputTokenCount);
        Assert.Equal(json.GetProperty("usage").GetProperty("completion_tokens").GetInt32(), response.Usage.OutputTokenCount);
        Assert.Equal("chat", response.ModelId);
        Assert.Equal(ChatRole.Assistant, response.Messages[0].Role);
        Assert.Equal("weft", client.GetService<ChatClientMetadata>()!.ProviderName);
    }

    public enum Sky { Clear, Cloudy, Rain }

    public sealed record Forecast(int Days, bool Windy, Sky Sky);

    [Fact]
    public async Task TypedResponsesFollowTheirSchemaThroughTheGrammar()
    {
        IChatClient client = new WeftChatClient(_pool, "chat");
        var options = new ChatOptions { Temperature = 1, Seed = 4, MaxOutputTokens = 120 };
        // GetResponseAsync<T> asks for T's JSON schema as the response format; a random model still writes a Forecast
        var typed = await client.GetResponseAsync<Forecast>("The forecast, please", options: options, useJsonSchemaResponseFormat: true);
        Assert.True(typed.TryGetResult(out var forecast), typed.Text);
        Assert.True(Enum.IsDefined(forecast!.Sky));
        var any = await client.GetResponseAsync("Some JSON", new ChatOptions { Temperature = 1, Seed = 4, MaxOutputTokens = 60, ResponseFormat = ChatResponseFormat.Json });
        if (any.FinishReason == ChatFinishReason.Stop) Assert.Equal(JsonValueKind.Object, JsonDocument.Parse(any.Text).RootElement.ValueKind);
        else Assert.StartsWith("{", any.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AResponseSchemaTheGrammarCannotEnforceIsRefused()
    {
        IChatClient client = new WeftChatClient(_pool, "chat");
        using var schema = JsonDocument.Parse("""{"type": "object", "properties": {"a": {"type": "string"}}, "minProperties": 1}""");
        var format = ChatResponseFormat.ForJsonSchema(schema.RootElement.Clone(), "odd");
        var e = await Assert.ThrowsAsync<NotSupportedException>(() => client.GetResponseAsync("x", new ChatOptions { ResponseFormat = format }));
        Assert.Contains("minProperties", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StreamingUpdatesAddUpToTheResponse()
    {
        IChatClient client = new WeftChatClient(_pool, "chat");
        List<ChatMessage> messages = [new(ChatRole.System, "Be brief."), new(ChatRole.User, "Once upon a time")];
        var whole = await client.GetResponseAsync(messages, Greedy(24));
        var updates = new List<ChatResponseUpdate>();
        await foreach (var u in client.GetStreamingResponseAsync(messages, Greedy(24))) updates.Add(u);
        Assert.True(updates.Count >= 3, "the answer should arrive in pieces");
        Assert.Equal(whole.Text, string.Concat(updates.Select(u => u.Text)));
        Assert.Equal(whole.FinishReason, updates[^1].FinishReason);
        var usage = updates[^1].Contents.OfType<UsageContent>().Single().Details;
        Assert.Equal(whole.Usage!.OutputTokenCount, usage.OutputTokenCount);
        Assert.Equal(whole.Text, updates.ToChatResponse().Text);
    }

    [Fact]
    public async Task ManyThreadsAtOnceGetTheirOwnAnswers()
    {
        IChatClient client = new WeftChatClient(_pool, "chat");
        var questions = Enumerable.Range(0, 6).Select(i => $"Question number {i}: {new string('x', i * 5)} why?").ToArray();
        var alone = new List<string>();
        foreach (var q in questions) alone.Add((await client.GetResponseAsync(q, Greedy(16))).Text);
        var together = await Task.WhenAll(questions.Select(q => Task.Run(async () => (await client.GetResponseAsync(q, Greedy(16))).Text)));
        Assert.Equal(alone, together);
    }

    [Fact]
    public async Task OptionsBecomeSamplingLengthAndStops()
    {
        IChatClient client = new WeftChatClient(_pool, "chat");
        var five = await client.GetResponseAsync("Count", Greedy(5));
        Assert.Equal(5, five.Usage!.OutputTokenCount);
        Assert.Equal(ChatFinishReason.Length, five.FinishReason);

        var longer = (await client.GetResponseAsync("Count", Greedy(40))).Text;
        Assert.True(longer.Length >= 6, $"need some text to cut: '{longer}'");
        string stop = longer.Substring(longer.Length / 2, 2);
        var cut = await client.GetResponseAsync("Count", new ChatOptions { Temperature = 0, MaxOutputTokens = 40, StopSequences = [stop] });
        Assert.Equal(longer[..longer.IndexOf(stop, StringComparison.Ordinal)], cut.Text);
        Assert.Equal(ChatFinishReason.Stop, cut.FinishReason);

        async Task<string> Seeded(long seed) => (await client.GetResponseAsync("The weather", new ChatOptions { Temperature = 1.2f, Seed = seed, MaxOutputTokens = 16 })).Text;
        Assert.Equal(await Seeded(9), await Seeded(9));
        Assert.NotEqual(await Seeded(9), await Seeded(10));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => client.GetResponseAsync("x", new ChatOptions { Temperature = -1 }));
    }

    [Fact]
    public async Task EmbeddingsAreTheHttpEmbeddings()
    {
        IEmbeddingGenerator<string, Embedding<float>> generator = new WeftEmbeddingGenerator(_pool, "chat");
        string[] texts = ["Hello world", "Rivers run to the sea"];
        var generated = await generator.GenerateAsync(texts);
        var (status, json, _) = await RawHttp.PostAsync(_server.Http, "/v1/embeddings", JsonSerializer.Serialize(new { model = "chat", input = texts }));
        Assert.Equal(HttpStatusCode.OK, status);
        for (int i = 0; i < texts.Length; i++)
        {
            float[] expected = [.. json.GetProperty("data")[i].GetProperty("embedding").EnumerateArray().Select(v => v.GetSingle())];
            Assert.Equal(expected, generated[i].Vector.ToArray());
        }
        Assert.Equal(json.GetProperty("usage").GetProperty("prompt_tokens").GetInt32(), generated.Usage!.InputTokenCount);
        var parallel = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => generator.GenerateVectorAsync("Hello world"))));
        Assert.All(parallel, v => Assert.Equal(generated[0].Vector.ToArray(), v.ToArray()));
        await Assert.ThrowsAsync<ArgumentException>(() => generator.GenerateAsync([""]));
    }
}
