// OllamaSharp (a client that speaks only Ollama's API) against a live server: models, show, chat streamed and whole,
// generate, embed, running models, and errors as the client's exceptions.
using System.Net;
using System.Text.Json;
using Microsoft.Extensions.AI;
using OllamaSharp;
using OllamaSharp.Models;
using OllamaSharp.Models.Chat;

namespace Weft.Server.Tests;

public class OllamaSharpTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private OllamaApiClient Client() => new(new HttpClient { BaseAddress = fixture.Server.BaseAddress, Timeout = TimeSpan.FromMinutes(2) }, "chat");

    private static List<Message> Conversation =>
    [
        new(OllamaSharp.Models.Chat.ChatRole.System, "You are a terse assistant."),
        new(OllamaSharp.Models.Chat.ChatRole.User, "Name three rivers of Europe."),
    ];

    private static RequestOptions Greedy(int n) => new() { Temperature = 0, NumPredict = n, RepeatPenalty = 1 };

    [Fact]
    public async Task ModelsVersionAndShowAreRead()
    {
        using var client = Client();
        Assert.True(await client.IsRunningAsync());
        Assert.Equal("0.5.0", (await client.GetVersionAsync()).ToString());
        var models = (await client.ListLocalModelsAsync()).ToList();
        var chat = Assert.Single(models, m => m.Name == "chat:latest");
        Assert.Equal("llama", chat.Details.Family);
        Assert.Equal("gguf", chat.Details.Format);
        Assert.True(chat.Size > 0);
        Assert.Equal(64, chat.Digest.Length);
        var show = await client.ShowModelAsync(new ShowModelRequest { Model = "chat:latest" });
        Assert.Equal(Weft.Inference.Templates.BuiltinTemplates.Source("chatml"), show.Template);
        Assert.Equal("llama", show.Details.Family);
        Assert.Contains("completion", show.Capabilities ?? []);
    }

    [Fact]
    public async Task StreamedChatAddsUpToTheWholeAnswerAndItsCounts()
    {
        using var client = Client();
        var pieces = new List<string>();
        ChatDoneResponseStream? done = null;
        await foreach (var chunk in client.ChatAsync(new ChatRequest { Model = "chat", Messages = Conversation, Options = Greedy(24) }))
        {
            if (chunk == null) continue;
            pieces.Add(chunk.Message.Content ?? "");
            if (chunk is ChatDoneResponseStream d) done = d;
        }
        Assert.NotNull(done);
        Assert.True(pieces.Count(p => p.Length > 0) >= 2, "the answer should arrive in pieces");

        var (status, whole, _) = await RawHttp.PostAsync(fixture.Server.Http, "/v1/chat/completions", JsonSerializer.Serialize(new
        {
            model = "chat", temperature = 0, max_tokens = 24,
            messages = new[] { new { role = "system", content = "You are a terse assistant." }, new { role = "user", content = "Name three rivers of Europe." } },
        }));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(whole.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString(), string.Concat(pieces));
        Assert.Equal(whole.GetProperty("usage").GetProperty("prompt_tokens").GetInt32(), done.PromptEvalCount);
        Assert.Equal(whole.GetProperty("usage").GetProperty("completion_tokens").GetInt32(), done.EvalCount);

        // not streamed: one answer, the same text
        var one = new List<ChatResponseStream?>();
        await foreach (var chunk in client.ChatAsync(new ChatRequest { Model = "chat", Messages = Conversation, Options = Greedy(24), Stream = false }))
            one.Add(chunk);
        Assert.Equal(string.Concat(pieces), Assert.Single(one)!.Message.Content);
    }

    [Fact]
    public async Task GenerateRawAndTemplated()
    {
        using var client = Client();
        async Task<(string Text, GenerateDoneResponseStream? Done)> Generate(GenerateRequest request)
        {
            var text = new System.Text.StringBuilder();
            GenerateDoneResponseStream? done = null;
            await foreach (var chunk in client.GenerateAsync(request))
            {
                if (chunk == null) continue;
                text.Append(chunk.Response);
                if (chunk is GenerateDoneResponseStream d) done = d;
            }
            return (text.ToString(), done);
        }
        var raw = await Generate(new GenerateRequest { Model = "chat", Prompt = "Once upon a time,", Raw = true, Options = Greedy(12) });
        Assert.Equal(12, raw.Done?.EvalCount);
        var (_, completion, _) = await RawHttp.PostAsync(fixture.Server.Http, "/v1/completions", "{\"model\":\"chat\",\"prompt\":\"Once upon a time,\",\"temperature\":0,\"max_tokens\":12}");
        Assert.Equal(completion.GetProperty("choices")[0].GetProperty("text").GetString(), raw.Text);
        var templated = await Generate(new GenerateRequest { Model = "chat", Prompt = "Once upon a time,", Options = Greedy(12) });
        Assert.True(templated.Done?.PromptEvalCount > raw.Done?.PromptEvalCount, "the chat template adds tokens around the prompt");
    }

    [Fact]
    public async Task EmbedAndRunningModels()
    {
        using var client = Client();
        var embedded = await client.EmbedAsync(new EmbedRequest { Model = "chat", Input = ["Hello world", "Goodbye"] });
        Assert.Equal(2, embedded.Embeddings.Count);
        Assert.Equal(128, embedded.Embeddings[0].Length);
        Assert.Equal(1.0, Math.Sqrt(embedded.Embeddings[0].Sum(v => (double)v * v)), 4);
        Assert.NotEqual(embedded.Embeddings[0], embedded.Embeddings[1]);
        var running = (await client.ListRunningModelsAsync()).ToList();
        Assert.Contains(running, m => m.Name == "chat:latest");
    }

    [Fact]
    public async Task TheClientsChatInterfaceWorks()
    {
        using var client = Client();
        IChatClient chat = client;
        var answer = await chat.GetResponseAsync("Say hello.", new ChatOptions { Temperature = 0, MaxOutputTokens = 6 });
        Assert.False(string.IsNullOrEmpty(answer.Text));
        Assert.Equal(6, answer.Usage?.OutputTokenCount);
    }

    [Fact]
    public async Task ErrorsSurfaceAsClientExceptions()
    {
        using var client = Client();
        var missing = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await foreach (var _ in client.GenerateAsync(new GenerateRequest { Model = "no-such-model", Prompt = "hi" })) { }
        });
        // OllamaSharp reports a 404 as the HTTP exception, not with the body's message
        Assert.Equal(HttpStatusCode.NotFound, Assert.IsType<HttpRequestException>(missing).StatusCode);
        var format = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await foreach (var _ in client.ChatAsync(new ChatRequest { Model = "chat", Messages = Conversation, Format = "yaml" })) { }
        });
        Assert.Contains("'format'", format.Message, StringComparison.Ordinal);
    }
}
