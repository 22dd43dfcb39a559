// /v1/completions and /v1/models: greedy text matches llama.cpp's greedy tokens, streaming matches whole answers.
using System.Net;
using System.Text.Json;
using Weft.Models;
using Weft.TestKit;

namespace Weft.Server.Tests;

public class CompletionTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private HttpClient Http => fixture.Server.Http;

    [Fact]
    public async Task ModelsListsEveryFileWithItsMetadata()
    {
        var (status, json) = await RawHttp.GetAsync(Http, "/v1/models");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("list", json.GetProperty("object").GetString());
        var ids = json.GetProperty("data").EnumerateArray().Select(m => m.GetProperty("id").GetString()).ToList();
        Assert.Equal(["broken", "chat", "slow"], ids);
        var chat = json.GetProperty("data").EnumerateArray().First(m => m.GetProperty("id").GetString() == "chat");
        var meta = chat.GetProperty("meta");
        Assert.Equal("llama", meta.GetProperty("architecture").GetString());
        Assert.Equal(512, meta.GetProperty("context_length").GetInt32());
        using var model = Model.Load(Path.Combine(fixture.Server.ModelsFolder, "chat.gguf"));
        Assert.Equal(model.File.Tensors.Sum(t => t.ElementCount), meta.GetProperty("parameters").GetInt64());
        var broken = json.GetProperty("data").EnumerateArray().First(m => m.GetProperty("id").GetString() == "broken");
        Assert.True(broken.GetProperty("meta").TryGetProperty("error", out _));
    }

    [Fact]
    public async Task GreedyCompletionIsTheOraclesGreedyContinuation()
    {
        string path = Path.Combine(fixture.Server.ModelsFolder, "chat.gguf");
        var prompt = TinyModels.RandomPrompt(32000, 10, 5);
        const int n = 16;
        var (status, json, _) = await RawHttp.PostAsync(Http, "/v1/completions",
            $"{{\"model\":\"chat\",\"prompt\":[{string.Join(',', prompt)}],\"max_tokens\":{n},\"temperature\":0}}");
        Assert.Equal(HttpStatusCode.OK, status);
        var (theirs, stepLogits) = Oracle.Generate(path, prompt, n);
        using var model = Model.Load(path);
        int stop = Array.FindIndex(theirs, t => model.Tokenizer.IsEog(t));
        var expectedIds = stop < 0 ? theirs : theirs[..stop];
        // a near tie in the oracle's own logits may legitimately go either way: compare only up to it
        int vocab = model.Config.VocabSize;
        int firstTie = Enumerable.Range(0, expectedIds.Length).FirstOrDefault(i => LogitMetrics.Top2Gap(stepLogits.AsSpan(i * vocab, vocab)) < Tolerances.GreedyTieGap, -1);
        // a continuation keeps its leading space: decode piece by piece, as a stream
        var decoder = model.Tokenizer.CreateStreamingDecoder();
        string expected = string.Concat((firstTie < 0 ? expectedIds : expectedIds[..firstTie]).Select(decoder.Push)) + decoder.Flush();
        string text = json.GetProperty("choices")[0].GetProperty("text").GetString()!;
        if (firstTie < 0) Assert.Equal(expected, text);
        else Assert.StartsWith(expected, text, StringComparison.Ordinal);
        Assert.Equal(prompt.Length, json.GetProperty("usage").GetProperty("prompt_tokens").GetInt32());
        Assert.Equal(stop < 0 ? "length" : "stop", json.GetProperty("choices")[0].GetProperty("finish_reason").GetString());
        Assert.True(json.GetProperty("timings").GetProperty("predicted_per_second").GetDouble() > 0);
    }

    [Fact]
    public async Task StreamedPiecesAddUpToTheWholeAnswer()
    {
        const string request = "{\"model\":\"chat\",\"prompt\":\"Once upon a time\",\"max_tokens\":24,\"temperature\":0%STREAM%}";
        var (_, whole, _) = await RawHttp.PostAsync(Http, "/v1/completions", request.Replace("%STREAM%", "", StringComparison.Ordinal));
        var events = await Sse.ReadAsync(Http, "/v1/completions", request.Replace("%STREAM%", ",\"stream\":true,\"stream_options\":{\"include_usage\":true}", StringComparison.Ordinal));
        Assert.Equal("[DONE]", events[^1]);
        var chunks = events[..^1].Select(e => JsonDocument.Parse(e).RootElement).ToList();
        // as OpenAI streams it: text chunks, the chunk with the finish reason (and timings), then one with no choices and the usage
        var usage = chunks[^1];
        Assert.Equal(0, usage.GetProperty("choices").GetArrayLength());
        chunks = chunks[..^1];
        string text = string.Concat(chunks.Select(c => c.GetProperty("choices")[0].GetProperty("text").GetString()));
        Assert.Equal(whole.GetProperty("choices")[0].GetProperty("text").GetString(), text);
        Assert.True(chunks.Count >= 3, "the answer should arrive in pieces");
        Assert.Equal(whole.GetProperty("usage").GetProperty("completion_tokens").GetInt32(), usage.GetProperty("usage").GetProperty("completion_tokens").GetInt32());
        Assert.Equal(whole.GetProperty("choices")[0].GetProperty("finish_reason").GetString(), chunks[^1].GetProperty("choices")[0].GetProperty("finish_reason").GetString());
        Assert.All(chunks[..^1], c => Assert.Equal(JsonValueKind.Null, c.GetProperty("choices")[0].GetProperty("finish_reason").ValueKind));
    }

    [Fact]
    public async Task StopStringEndsTheAnswerBeforeIt()
    {
        const string request = "{\"model\":\"chat\",\"prompt\":\"Once upon a time\",\"max_tokens\":40,\"temperature\":0}";
        var (_, whole, _) = await RawHttp.PostAsync(Http, "/v1/completions", request);
        string text = whole.GetProperty("choices")[0].GetProperty("text").GetString()!;
        Assert.True(text.Length >= 6, $"need some text to cut: '{text}'");
        string stop = text.Substring(text.Length / 2, 2);
        var (_, cut, _) = await RawHttp.PostAsync(Http, "/v1/completions", request[..^1] + $",\"stop\":[{JsonSerializer.Serialize(stop)}]}}");
        Assert.Equal(text[..text.IndexOf(stop, StringComparison.Ordinal)], cut.GetProperty("choices")[0].GetProperty("text").GetString());
        Assert.Equal("stop", cut.GetProperty("choices")[0].GetProperty("finish_reason").GetString());
    }

    [Fact]
    public async Task SeededSamplingRepeats()
    {
        const string request = "{\"model\":\"chat\",\"prompt\":\"The weather\",\"max_tokens\":16,\"temperature\":1.2,\"seed\":%S%}";
        async Task<string> Text(int seed) => (await RawHttp.PostAsync(Http, "/v1/completions", request.Replace("%S%", seed.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)))
            .Body.GetProperty("choices")[0].GetProperty("text").GetString()!;
        Assert.Equal(await Text(9), await Text(9));
        Assert.NotEqual(await Text(9), await Text(10));
    }
}
