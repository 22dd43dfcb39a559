// /v1/completions as lm-evaluation-harness's local-completions back end uses it: echo with the log-probabilities of
// the prompt's own tokens (checked against a log-softmax computed here from a lone session stepped one token at a
// time), token-id and text prompts, prompt batches, max_tokens 0 and the errors.
using System.Net;
using System.Text;
using System.Text.Json;
using Weft.Models;
using Weft.Models.Transformer;
using Weft.Tensors.Threading;
using Weft.TestKit;

namespace Weft.Server.Tests;

public class EchoScoringTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    /// <summary>The server's logits come from one all-positions pass, ours from single-token steps: equal up to float32
    /// rounding of the same sums.</summary>
    private const double Tolerance = 1e-4;

    private HttpClient Http => fixture.Server.Http;

    private static string Ids(IEnumerable<int> ids) => "[" + string.Join(',', ids) + "]";

    private async Task<JsonElement> CompleteAsync(string request)
    {
        var (status, json, _) = await RawHttp.PostAsync(Http, "/v1/completions", request);
        Assert.True(status == HttpStatusCode.OK, $"{status}: {json}");
        return json;
    }

    /// <summary>Per position i ≥ 1, the log-softmax (double) of the logits after tokens[..i], stepping one token at a time.</summary>
    private double[][] Expected(int[] tokens)
    {
        using var model = Model.Load(Path.Combine(fixture.Server.ModelsFolder, "chat.gguf"));
        using var pool = new WorkerPool(1);
        var session = new DecoderSession(model, pool, 512);
        int vocab = model.Config.VocabSize;
        var logits = new float[vocab];
        var result = new double[tokens.Length][];
        for (int i = 0; i + 1 < tokens.Length; i++)
        {
            session.Evaluate([tokens[i]], logits);
            double max = logits.Max();
            double lse = max + Math.Log(logits.Sum(l => Math.Exp(l - max)));
            result[i + 1] = [.. logits.Select(l => l - lse)];
        }
        return result;
    }

    private string Piece(int id)
    {
        using var model = Model.Load(Path.Combine(fixture.Server.ModelsFolder, "chat.gguf"));
        return Encoding.UTF8.GetString(model.Tokenizer.Piece(id, renderSpecial: true));
    }

    [Fact]
    public async Task EchoedLogProbabilitiesAreTheLogSoftmaxOfThePreviousPosition()
    {
        var prompt = TinyModels.RandomPrompt(32000, 14, 31);
        var json = await CompleteAsync($"{{\"model\":\"chat\",\"prompt\":{Ids(prompt)},\"echo\":true,\"max_tokens\":0,\"logprobs\":3}}");
        var choice = json.GetProperty("choices")[0];
        Assert.Equal("length", choice.GetProperty("finish_reason").GetString());
        Assert.Equal(0, json.GetProperty("usage").GetProperty("completion_tokens").GetInt32());
        var lp = choice.GetProperty("logprobs");
        var values = lp.GetProperty("token_logprobs").EnumerateArray().ToList();
        var tops = lp.GetProperty("top_logprobs").EnumerateArray().ToList();
        Assert.Equal(prompt.Length, values.Count);
        Assert.Equal(prompt.Length, lp.GetProperty("tokens").GetArrayLength());
        Assert.Equal(prompt.Length, lp.GetProperty("text_offset").GetArrayLength());
        Assert.Equal(JsonValueKind.Null, values[0].ValueKind);
        Assert.Equal(JsonValueKind.Null, tops[0].ValueKind);
        var expected = Expected(prompt);
        for (int i = 1; i < prompt.Length; i++)
        {
            Assert.InRange(values[i].GetDouble(), expected[i][prompt[i]] - Tolerance, expected[i][prompt[i]] + Tolerance);
            Assert.Equal(Piece(prompt[i]), lp.GetProperty("tokens")[i].GetString());
            // the most likely token is among the top ones, with its value: what a greedy check reads
            int best = Enumerable.Range(0, expected[i].Length).MaxBy(t => expected[i][t]);
            var top = tops[i].EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetDouble());
            Assert.True(top.ContainsKey(Piece(best)), $"position {i}: the top logprobs lack the most likely token");
            Assert.InRange(top.Values.Max(), expected[i][best] - Tolerance, expected[i][best] + Tolerance);
            Assert.True(top.ContainsKey(Piece(prompt[i])), $"position {i}: the top logprobs lack the prompt's token");
        }
    }

    [Fact]
    public async Task TextPromptScoresAsItsTokenIds()
    {
        const string text = "In the beginning God created the heaven";
        var (_, tokenized, _) = await RawHttp.PostAsync(Http, "/tokenize", $"{{\"model\":\"chat\",\"prompt\":{JsonSerializer.Serialize(text)}}}");
        int[] ids = [.. tokenized.GetProperty("tokens").EnumerateArray().Select(t => t.GetInt32())];
        using (var model = Model.Load(Path.Combine(fixture.Server.ModelsFolder, "chat.gguf")))
            Assert.Equal(model.Tokenizer.Bos, ids[0]);
        var byText = (await CompleteAsync($"{{\"model\":\"chat\",\"prompt\":{JsonSerializer.Serialize(text)},\"echo\":true,\"max_tokens\":0,\"logprobs\":1}}"))
            .GetProperty("choices")[0];
        var byIds = (await CompleteAsync($"{{\"model\":\"chat\",\"prompt\":{Ids(ids)},\"echo\":true,\"max_tokens\":0,\"logprobs\":1}}"))
            .GetProperty("choices")[0];
        Assert.Equal(text, byText.GetProperty("text").GetString());
        // the text prompt's BOS is the server's, not echoed; its first token is scored after it
        var textValues = byText.GetProperty("logprobs").GetProperty("token_logprobs").EnumerateArray().Select(v => v.GetDouble()).ToList();
        var idValues = byIds.GetProperty("logprobs").GetProperty("token_logprobs").EnumerateArray().ToList();
        Assert.Equal(ids.Length - 1, textValues.Count);
        Assert.Equal(JsonValueKind.Null, idValues[0].ValueKind);
        for (int i = 1; i < ids.Length; i++) Assert.Equal(idValues[i].GetDouble(), textValues[i - 1], 5);
        // text_offset points into the echoed text: each piece is found there (the first without the space it carries)
        var pieces = byText.GetProperty("logprobs").GetProperty("tokens").EnumerateArray().Select(t => t.GetString()!).ToList();
        var offsets = byText.GetProperty("logprobs").GetProperty("text_offset").EnumerateArray().Select(o => o.GetInt32()).ToList();
        Assert.Equal(0, offsets[0]);
        Assert.StartsWith(pieces[0].TrimStart(), text, StringComparison.Ordinal);
        for (int i = 1; i < pieces.Count; i++) Assert.Equal(pieces[i], text.Substring(offsets[i], pieces[i].Length));
    }

    [Fact]
    public async Task EachPromptOfABatchGetsItsOwnChoiceInOrder()
    {
        var a = TinyModels.RandomPrompt(32000, 6, 41);
        var b = TinyModels.RandomPrompt(32000, 9, 42);
        const string fields = ",\"echo\":true,\"max_tokens\":0,\"logprobs\":2}";
        var batch = (await CompleteAsync($"{{\"model\":\"chat\",\"prompt\":[{Ids(a)},{Ids(b)}]" + fields)).GetProperty("choices");
        Assert.Equal(2, batch.GetArrayLength());
        int k = 0;
        foreach (var one in new[] { a, b })
        {
            var alone = (await CompleteAsync($"{{\"model\":\"chat\",\"prompt\":{Ids(one)}" + fields)).GetProperty("choices")[0];
            Assert.Equal(k, batch[k].GetProperty("index").GetInt32());
            Assert.Equal(alone.GetProperty("logprobs").GetProperty("token_logprobs").GetRawText(), batch[k].GetProperty("logprobs").GetProperty("token_logprobs").GetRawText());
            Assert.Equal(one.Length, batch[k].GetProperty("logprobs").GetProperty("tokens").GetArrayLength());
            k++;
        }
        var strings = (await CompleteAsync("{\"model\":\"chat\",\"prompt\":[\"The weather\",\"Once upon a time\"],\"max_tokens\":3,\"temperature\":0}")).GetProperty("choices");
        Assert.Equal(2, strings.GetArrayLength());
        var second = (await CompleteAsync("{\"model\":\"chat\",\"prompt\":\"Once upon a time\",\"max_tokens\":3,\"temperature\":0}")).GetProperty("choices")[0];
        Assert.Equal(second.GetProperty("text").GetString(), strings[1].GetProperty("text").GetString());
        Assert.Equal(1, strings[1].GetProperty("index").GetInt32());
    }

    [Fact]
    public async Task EchoWithGenerationAppendsTheGeneratedTokenAsTheHarnessReadsIt()
    {
        // lm-evaluation-harness's loglikelihood request: echo, max_tokens 1, logprobs 1, temperature 0
        var prompt = TinyModels.RandomPrompt(32000, 8, 51);
        var choice = (await CompleteAsync($"{{\"model\":\"chat\",\"prompt\":{Ids(prompt)},\"echo\":true,\"max_tokens\":1,\"logprobs\":1,\"temperature\":0}}"))
            .GetProperty("choices")[0];
        var lp = choice.GetProperty("logprobs");
        Assert.Equal(prompt.Length + 1, lp.GetProperty("token_logprobs").GetArrayLength());
        var expected = Expected([.. prompt, 0]);
        int greedy = Enumerable.Range(0, expected[^1].Length).MaxBy(t => expected[^1][t]);
        Assert.Equal(Piece(greedy), lp.GetProperty("tokens")[prompt.Length].GetString());
        Assert.InRange(lp.GetProperty("token_logprobs")[prompt.Length].GetDouble(), expected[^1][greedy] - Tolerance, expected[^1][greedy] + Tolerance);
        string echoed;
        using (var model = Model.Load(Path.Combine(fixture.Server.ModelsFolder, "chat.gguf"))) echoed = model.Tokenizer.Decode(prompt);
        Assert.StartsWith(echoed, choice.GetProperty("text").GetString(), StringComparison.Ordinal);
        // the same as generating through the scheduler: without echo, and with echo and a stop string (which the
        // scoring pass's shortcut for one greedy token leaves to the scheduler)
        string generated = (await CompleteAsync($"{{\"model\":\"chat\",\"prompt\":{Ids(prompt)},\"max_tokens\":1,\"temperature\":0}}"))
            .GetProperty("choices")[0].GetProperty("text").GetString()!;
        Assert.Equal(echoed + generated, choice.GetProperty("text").GetString());
        var scheduled = (await CompleteAsync($"{{\"model\":\"chat\",\"prompt\":{Ids(prompt)},\"echo\":true,\"max_tokens\":1,\"logprobs\":1,\"temperature\":0,\"stop\":[\"\\u0001\"]}}"))
            .GetProperty("choices")[0];
        Assert.Equal(choice.GetProperty("text").GetString(), scheduled.GetProperty("text").GetString());
        var slow = scheduled.GetProperty("logprobs");
        Assert.Equal(lp.GetProperty("tokens").GetRawText(), slow.GetProperty("tokens").GetRawText());
        Assert.InRange(slow.GetProperty("token_logprobs")[prompt.Length].GetDouble(),
            lp.GetProperty("token_logprobs")[prompt.Length].GetDouble() - Tolerance, lp.GetProperty("token_logprobs")[prompt.Length].GetDouble() + Tolerance);
        Assert.Equal("length", choice.GetProperty("finish_reason").GetString());
    }

    [Fact]
    public async Task APromptLongerThanTheContextIsRefused()
    {
        var prompt = TinyModels.RandomPrompt(32000, 600, 61);
        var (status, json, _) = await RawHttp.PostAsync(Http, "/v1/completions", $"{{\"model\":\"chat\",\"prompt\":{Ids(prompt)},\"echo\":true,\"max_tokens\":0,\"logprobs\":1}}");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("context_length_exceeded", RawHttp.AssertError(json, "600 tokens").GetProperty("code").GetString());
    }

    [Theory]
    [InlineData("{\"model\":\"chat\",\"prompt\":[1,2,", "not valid JSON")]
    [InlineData("{\"model\":\"chat\",\"prompt\":[[1,2],\"x\"],\"echo\":true}", "'prompt' must be")]
    [InlineData("{\"model\":\"chat\",\"prompt\":[[]],\"echo\":true}", "no tokens")]
    [InlineData("{\"model\":\"chat\",\"prompt\":\"a\",\"echo\":true,\"logprobs\":21}", "'logprobs'")]
    [InlineData("{\"model\":\"chat\",\"prompt\":\"a\",\"echo\":true,\"stream\":true}", "'stream'")]
    public async Task MalformedRequestsAreRefusedInOpenAiShape(string body, string message)
    {
        var (status, json, _) = await RawHttp.PostAsync(Http, "/v1/completions", body);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        RawHttp.AssertError(json, message);
    }
}
