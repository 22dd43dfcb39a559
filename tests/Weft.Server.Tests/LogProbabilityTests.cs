// logprobs/top_logprobs on chat completions (through the OpenAI SDK, whole and streamed) and the legacy logprobs of
// text completions; values checked against a log-softmax computed here from a lone session's logits.
using System.Net;
using System.Text.Json;
using OpenAI;
using OpenAI.Chat;
using Weft.Inference.Chat;
using Weft.Models;
using Weft.Models.Transformer;
using Weft.Tensors.Threading;
using TemplateMessage = Weft.Inference.Templates.ChatMessage;

namespace Weft.Server.Tests;

public class LogProbabilityTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    /// <summary>The server's logits come from a batched pass, ours from a lone session: equal up to float32 rounding of the
    /// same sums; the log-softmax of both is taken in double.</summary>
    private const double LogProbabilityTolerance = 1e-4;

    private HttpClient Http => fixture.Server.Http;

    private ChatClient Chat => new OpenAIClient(new System.ClientModel.ApiKeyCredential("unused"),
        new OpenAIClientOptions { Endpoint = new Uri(fixture.Server.BaseAddress, "/v1") }).GetChatClient("chat");

    private const string Question = "Name three rivers of Europe.";

    private static ChatCompletionOptions Options(int maxTokens) => new()
    {
        Temperature = 0, MaxOutputTokenCount = maxTokens, IncludeLogProbabilities = true, TopLogProbabilityCount = 3,
    };

    [Fact]
    public async Task ChatTokensCarryTheirLogProbabilitiesAndTheTopThree()
    {
        ChatCompletion answer = await Chat.CompleteChatAsync([new UserChatMessage(Question)], Options(12));
        var content = answer.ContentTokenLogProbabilities;
        Assert.NotEmpty(content);
        Assert.Equal(answer.Usage.OutputTokenCount, content.Count);
        foreach (var t in content)
        {
            Assert.True(t.LogProbability <= 0, $"log-probability {t.LogProbability} of '{t.Token}'");
            Assert.Equal(3, t.TopLogProbabilities.Count);
            for (int i = 1; i < t.TopLogProbabilities.Count; i++)
                Assert.True(t.TopLogProbabilities[i - 1].LogProbability >= t.TopLogProbabilities[i].LogProbability, "top_logprobs must be most likely first");
            // temperature 0 picks the most likely token
            Assert.Equal(t.TopLogProbabilities[0].Token, t.Token);
            Assert.Equal(t.TopLogProbabilities[0].LogProbability, t.LogProbability);
            Assert.Equal(t.Token, System.Text.Encoding.UTF8.GetString(t.Utf8Bytes!.Value.ToArray()));
        }
    }

    [Fact]
    public async Task ChatLogProbabilitiesAreTheLogSoftmaxOfTheRawLogits()
    {
        ChatCompletion answer = await Chat.CompleteChatAsync([new UserChatMessage(Question)], Options(10));
        var content = answer.ContentTokenLogProbabilities;
        Assert.NotEmpty(content);

        using var model = Model.Load(Path.Combine(fixture.Server.ModelsFolder, "chat.gguf"));
        using var pool = new WorkerPool(1);
        var session = new DecoderSession(model, pool, 512);
        int vocab = model.Config.VocabSize;
        var logits = new float[vocab];
        session.Evaluate(ChatFormatter.ForModel(model).Tokens([TemplateMessage.Text("user", Question)]), logits);
        foreach (var t in content)
        {
            double[] expected = LogSoftmax(logits);
            int[] order = [.. Enumerable.Range(0, vocab).OrderByDescending(i => expected[i]).ThenBy(i => i)];
            int chosen = order[0];
            Assert.Equal(model.Tokenizer.Piece(chosen, renderSpecial: true).ToArray(), t.Utf8Bytes!.Value.ToArray());
            Assert.InRange(t.LogProbability, expected[chosen] - LogProbabilityTolerance, expected[chosen] + LogProbabilityTolerance);
            for (int k = 0; k < t.TopLogProbabilities.Count; k++)
                Assert.InRange(t.TopLogProbabilities[k].LogProbability, expected[order[k]] - LogProbabilityTolerance, expected[order[k]] + LogProbabilityTolerance);
            session.Evaluate([chosen], logits);
        }
    }

    [Fact]
    public async Task SampledTokensReportTheUntemperedDistribution()
    {
        // temperature changes what is sampled, not the reported probabilities: each chosen token's log-probability
        // is the raw distribution's, and its rank need not be first
        var options = new ChatCompletionOptions
        {
            Temperature = 2, MaxOutputTokenCount = 8, IncludeLogProbabilities = true, TopLogProbabilityCount = 20,
#pragma warning disable OPENAI001 // Seed is marked experimental in the SDK
            Seed = 5,
#pragma warning restore OPENAI001
        };
        ChatCompletion answer = await Chat.CompleteChatAsync([new UserChatMessage(Question)], options);
        foreach (var t in answer.ContentTokenLogProbabilities)
        {
            Assert.Equal(20, t.TopLogProbabilities.Count);
            Assert.True(t.LogProbability <= t.TopLogProbabilities[0].LogProbability);
        }
    }

    [Fact]
    public async Task StreamedChunksCarryTheLogProbabilitiesOfTheirTokens()
    {
        var options = Options(16);
        ChatCompletion whole = await Chat.CompleteChatAsync([new UserChatMessage(Question)], options);
        var streamed = new List<ChatTokenLogProbabilityDetails>();
        await foreach (var update in Chat.CompleteChatStreamingAsync([new UserChatMessage(Question)], options))
        {
            string text = string.Concat(update.ContentUpdate.Select(p => p.Text));
            if (text.Length > 0) Assert.NotEmpty(update.ContentTokenLogProbabilities);
            streamed.AddRange(update.ContentTokenLogProbabilities);
        }
        Assert.Equal(whole.ContentTokenLogProbabilities.Select(t => (t.Token, t.LogProbability)), streamed.Select(t => (t.Token, t.LogProbability)));
    }

    [Fact]
    public async Task WithoutLogprobsTheFieldIsNull()
    {
        var (status, json, _) = await RawHttp.PostAsync(Http, "/v1/chat/completions",
            "{\"model\":\"chat\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":3}");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(JsonValueKind.Null, json.GetProperty("choices")[0].GetProperty("logprobs").ValueKind);
        var (_, text, _) = await RawHttp.PostAsync(Http, "/v1/completions", "{\"model\":\"chat\",\"prompt\":\"hi\",\"max_tokens\":3}");
        Assert.Equal(JsonValueKind.Null, text.GetProperty("choices")[0].GetProperty("logprobs").ValueKind);
    }

    [Fact]
    public async Task CompletionsReportTheLegacyShape()
    {
        const string request = "{\"model\":\"chat\",\"prompt\":\"Once upon a time\",\"max_tokens\":12,\"temperature\":0,\"logprobs\":2%STREAM%}";
        var (status, json, _) = await RawHttp.PostAsync(Http, "/v1/completions", request.Replace("%STREAM%", "", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.OK, status);
        var lp = json.GetProperty("choices")[0].GetProperty("logprobs");
        int n = json.GetProperty("usage").GetProperty("completion_tokens").GetInt32();
        var tokens = lp.GetProperty("tokens").EnumerateArray().Select(t => t.GetString()!).ToList();
        var values = lp.GetProperty("token_logprobs").EnumerateArray().Select(t => t.GetDouble()).ToList();
        var tops = lp.GetProperty("top_logprobs").EnumerateArray().ToList();
        var offsets = lp.GetProperty("text_offset").EnumerateArray().Select(t => t.GetInt32()).ToList();
        Assert.Equal(n, tokens.Count);
        Assert.Equal(n, values.Count);
        Assert.Equal(n, tops.Count);
        Assert.Equal(n, offsets.Count);
        for (int i = 0; i < n; i++)
        {
            Assert.True(values[i] <= 0);
            var top = tops[i].EnumerateObject().ToList();
            Assert.InRange(top.Count, 1, 3); // the two most likely, and the chosen token when it is not one of them
            // greedy: the chosen token is the most likely one
            Assert.Equal(tokens[i], top[0].Name);
            Assert.Equal(values[i], top[0].Value.GetDouble());
            Assert.Equal(i == 0 ? 0 : offsets[i - 1] + tokens[i - 1].Length, offsets[i]);
        }

        var events = await Sse.ReadAsync(Http, "/v1/completions", request.Replace("%STREAM%", ",\"stream\":true", StringComparison.Ordinal));
        var chunks = events[..^1].Select(e => JsonDocument.Parse(e).RootElement.GetProperty("choices")[0]).ToList();
        var streamedTokens = new List<string>();
        var streamedOffsets = new List<int>();
        foreach (var c in chunks)
        {
            if (c.GetProperty("logprobs").ValueKind == JsonValueKind.Null)
            {
                Assert.Equal("", c.GetProperty("text").GetString());
                continue;
            }
            streamedTokens.AddRange(c.GetProperty("logprobs").GetProperty("tokens").EnumerateArray().Select(t => t.GetString()!));
            streamedOffsets.AddRange(c.GetProperty("logprobs").GetProperty("text_offset").EnumerateArray().Select(t => t.GetInt32()));
        }
        Assert.Equal(tokens, streamedTokens);
        Assert.Equal(offsets, streamedOffsets);
    }

    [Theory]
    [InlineData("/v1/chat/completions", "\"top_logprobs\":3", "'top_logprobs' needs 'logprobs': true", "top_logprobs")]
    [InlineData("/v1/chat/completions", "\"logprobs\":false,\"top_logprobs\":0", "'top_logprobs' needs 'logprobs': true", "top_logprobs")]
    [InlineData("/v1/chat/completions", "\"logprobs\":true,\"top_logprobs\":21", "'top_logprobs' must be between 0 and 20", "top_logprobs")]
    [InlineData("/v1/chat/completions", "\"logprobs\":true,\"top_logprobs\":-1", "'top_logprobs' must be between 0 and 20", "top_logprobs")]
    [InlineData("/v1/chat/completions", "\"logprobs\":true,\"top_logprobs\":2.5", "'top_logprobs' must be an integer", "top_logprobs")]
    [InlineData("/v1/chat/completions", "\"logprobs\":1", "'logprobs' must be a boolean", "logprobs")]
    [InlineData("/v1/completions", "\"logprobs\":21", "'logprobs' must be between 0 and 20", "logprobs")]
    [InlineData("/v1/completions", "\"logprobs\":true", "'logprobs' must be an integer", "logprobs")]
    public async Task BadLogprobsFieldsAre400(string path, string fields, string message, string param)
    {
        string body = path.EndsWith("chat/completions", StringComparison.Ordinal)
            ? $"{{\"model\":\"chat\",\"messages\":[{{\"role\":\"user\",\"content\":\"hi\"}}],{fields}}}"
            : $"{{\"model\":\"chat\",\"prompt\":\"hi\",{fields}}}";
        var (status, json, _) = await RawHttp.PostAsync(Http, path, body);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        var e = RawHttp.AssertError(json, message);
        Assert.Equal("invalid_request_error", e.GetProperty("type").GetString());
        Assert.Equal(param, e.GetProperty("param").GetString());
    }

    private static double[] LogSoftmax(float[] logits)
    {
        double max = logits.Max();
        double sum = logits.Sum(l => Math.Exp(l - max));
        double lse = max + Math.Log(sum);
        return [.. logits.Select(l => l - lse)];
    }
}
