// The official OpenAI .NET SDK against a live server: chat (whole and streamed), models, and errors as SDK exceptions.
using System.ClientModel;
using OpenAI;
using OpenAI.Chat;
using Weft.TestKit;

namespace Weft.Server.Tests;

public class OpenAiSdkTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private OpenAIClient Client => new(new ApiKeyCredential("unused"), new OpenAIClientOptions { Endpoint = new Uri(fixture.Server.BaseAddress, "/v1") });

    private static readonly (string Role, string Content)[] Conversation =
    [
        ("system", "You are a terse assistant."),
        ("user", "Name three rivers of Europe."),
    ];

    private static ChatMessage[] SdkMessages => [new SystemChatMessage(Conversation[0].Content), new UserChatMessage(Conversation[1].Content)];

    [Fact]
    public async Task GreedyChatAnswerIsLlamaCppsAnswerWithTheSameTemplate()
    {
        const int n = 20;
        // the file has no template of its own, so both sides use chatml
        var expected = OracleChat.GreedyReply(Path.Combine(fixture.Server.ModelsFolder, "chat.gguf"), "chatml", Conversation, n);
        var chat = Client.GetChatClient("chat");
        ChatCompletion answer = await chat.CompleteChatAsync(SdkMessages, new ChatCompletionOptions { Temperature = 0, MaxOutputTokenCount = n });
        string text = answer.Content[0].Text;
        if (expected.Exact) Assert.Equal(expected.Text, text);
        else Assert.StartsWith(expected.Text, text, StringComparison.Ordinal);
        Assert.Equal(expected.PromptIds.Length, answer.Usage.InputTokenCount);
        Assert.Equal(ChatMessageRole.Assistant, answer.Role);
    }

    [Fact]
    public async Task StreamedChatAddsUpToTheWholeAnswer()
    {
        var chat = Client.GetChatClient("chat");
        var options = new ChatCompletionOptions { Temperature = 0, MaxOutputTokenCount = 24 };
        ChatCompletion whole = await chat.CompleteChatAsync(SdkMessages, options);
        var pieces = new List<string>();
        ChatFinishReason? finish = null;
        await foreach (var update in chat.CompleteChatStreamingAsync(SdkMessages, options))
        {
            foreach (var part in update.ContentUpdate) pieces.Add(part.Text);
            finish ??= update.FinishReason;
        }
        Assert.Equal(whole.Content[0].Text, string.Concat(pieces));
        Assert.Equal(whole.FinishReason, finish);
        Assert.True(pieces.Count(p => p.Length > 0) >= 2, "the answer should arrive in pieces");
    }

    [Fact]
    public async Task SeveralChoicesComeThroughTheSdksProtocolMethod()
    {
        // ChatCompletionOptions has no public n: the SDK's protocol method sends it, and its reader reads the answer
        var chat = Client.GetChatClient("chat");
        const string body = """{"model": "chat", "messages": [{"role": "user", "content": "Name three rivers of Europe."}], "temperature": 1, "max_tokens": 8, "seed": 11, "n": 3}""";
        ClientResult result = await chat.CompleteChatAsync(BinaryContent.Create(BinaryData.FromString(body)), new System.ClientModel.Primitives.RequestOptions());
        var completion = System.ClientModel.Primitives.ModelReaderWriter.Read<ChatCompletion>(result.GetRawResponse().Content)!;
        using var raw = System.Text.Json.JsonDocument.Parse(result.GetRawResponse().Content);
        var choices = raw.RootElement.GetProperty("choices");
        Assert.Equal([0, 1, 2], choices.EnumerateArray().Select(c => c.GetProperty("index").GetInt32()));
        Assert.Equal(choices[0].GetProperty("message").GetProperty("content").GetString(), completion.Content[0].Text);
        Assert.InRange(completion.Usage.OutputTokenCount, 3, 3 * 8); // each choice 1 to max_tokens
    }

    [Fact]
    public async Task ModelsAreListed()
    {
        var models = await Client.GetOpenAIModelClient().GetModelsAsync();
        Assert.Contains(models.Value, m => m.Id == "chat");
    }

    [Fact]
    public async Task ErrorsSurfaceAsSdkExceptions()
    {
        var missing = await Assert.ThrowsAsync<ClientResultException>(() => Client.GetChatClient("no-such-model").CompleteChatAsync([new UserChatMessage("hi")]));
        Assert.Equal(404, missing.Status);
        Assert.Contains("does not exist", missing.Message, StringComparison.Ordinal);
        var tooLong = await Assert.ThrowsAsync<ClientResultException>(() => Client.GetChatClient("chat").CompleteChatAsync([new UserChatMessage(string.Join(' ', Enumerable.Repeat("word", 800)))]));
        Assert.Equal(400, tooLong.Status);
        Assert.Contains("context", tooLong.Message, StringComparison.Ordinal);
    }
}
