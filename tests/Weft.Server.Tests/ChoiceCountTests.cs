// n > 1 on chat and text completions: n choices of one prompt, evaluated once, each sampling with its own seed.
using System.Net;
using System.Text.Json;

namespace Weft.Server.Tests;

public class ChoiceCountTests
{
    private static string ChatBody(int n, int seed, bool stream = false) =>
        $$"""{"model":"chat","messages":[{"role":"user","content":"Tell me about the sea"}],"max_tokens":12,"temperature":1.0,"seed":{{seed}},"logprobs":true,"n":{{n}}{{(stream ? ""","stream":true,"stream_options":{"include_usage":true}""" : "")}}}""";

    [Fact]
    public async Task Each_choice_samples_with_seed_plus_its_index_and_usage_counts_the_prompt_once()
    {
        await using var server = await LiveServer.StartAsync(o => o with { Parallel = 3 });
        var (status, many, _) = await RawHttp.PostAsync(server.Http, "/v1/chat/completions", ChatBody(3, 40));
        Assert.Equal(HttpStatusCode.OK, status);
        var choices = many.GetProperty("choices");
        Assert.Equal(3, choices.GetArrayLength());
        int generated = 0;
        for (int k = 0; k < 3; k++)
        {
            Assert.Equal(k, choices[k].GetProperty("index").GetInt32());
            var (_, one, _) = await RawHttp.PostAsync(server.Http, "/v1/chat/completions", ChatBody(1, 40 + k));
            // choice k of seed S is the answer of seed S + k asked alone
            Assert.Equal(one.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString(),
                choices[k].GetProperty("message").GetProperty("content").GetString());
            generated += choices[k].GetProperty("logprobs").GetProperty("content").GetArrayLength();
        }
        var usage = many.GetProperty("usage");
        var (_, single, _) = await RawHttp.PostAsync(server.Http, "/v1/chat/completions", ChatBody(1, 40));
        Assert.Equal(single.GetProperty("usage").GetProperty("prompt_tokens").GetInt32(), usage.GetProperty("prompt_tokens").GetInt32());
        Assert.Equal(generated, usage.GetProperty("completion_tokens").GetInt32());
        Assert.NotEqual(Text(choices[0]), Text(choices[1])); // different seeds draw differently (12 tokens at temperature 1)
    }

    [Fact]
    public async Task The_prompt_is_evaluated_once_for_all_choices()
    {
        await using var server = await LiveServer.StartAsync(o => o with { Parallel = 4 });
        const string body = """{"model":"slow","prompt":"Tell me a long story about the rivers and the mountains of the old country","max_tokens":40,"temperature":0.8,"seed":3,"n":4}""";
        var (status, json, _) = await RawHttp.PostAsync(server.Http, "/v1/completions", body);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(4, json.GetProperty("choices").GetArrayLength());
        int prompt = json.GetProperty("usage").GetProperty("prompt_tokens").GetInt32();
        string metrics = await server.Http.GetStringAsync("/metrics");
        // the first choice evaluates the prompt; each other one only its last token again, for its own logits
        Assert.Equal(prompt + 3, Value(metrics, "weft_prompt_tokens_evaluated"));
        Assert.Equal(3 * (prompt - 1), Value(metrics, "weft_prompt_tokens_reused"));
    }

    [Fact]
    public async Task Streamed_choices_interleave_and_each_adds_up_to_its_whole_answer()
    {
        await using var server = await LiveServer.StartAsync(o => o with { Parallel = 2 });
        var (_, whole, _) = await RawHttp.PostAsync(server.Http, "/v1/chat/completions", ChatBody(2, 9));
        var events = await Sse.ReadAsync(server.Http, "/v1/chat/completions", ChatBody(2, 9, stream: true));
        Assert.Equal("[DONE]", events[^1]);
        var text = new[] { "", "" };
        var finishes = new[] { 0, 0 };
        var roles = new[] { 0, 0 };
        JsonElement? usage = null;
        foreach (string e in events[..^1])
        {
            using var doc = JsonDocument.Parse(e);
            var root = doc.RootElement;
            var list = root.GetProperty("choices");
            if (list.GetArrayLength() == 0)
            {
                usage = root.GetProperty("usage").Clone();
                continue;
            }
            Assert.Equal(1, list.GetArrayLength());
            var c = list[0];
            int k = c.GetProperty("index").GetInt32();
            var delta = c.GetProperty("delta");
            if (delta.TryGetProperty("role", out _)) roles[k]++;
            if (delta.TryGetProperty("content", out var content)) text[k] += content.GetString();
            if (c.GetProperty("finish_reason").ValueKind == JsonValueKind.String) finishes[k]++;
        }
        for (int k = 0; k < 2; k++)
        {
            Assert.Equal(1, roles[k]);
            Assert.Equal(1, finishes[k]);
            Assert.Equal(Text(whole.GetProperty("choices")[k]), text[k]);
        }
        Assert.NotNull(usage);
        Assert.Equal(whole.GetProperty("usage").GetProperty("completion_tokens").GetInt32(), usage.Value.GetProperty("completion_tokens").GetInt32());
    }

    [Theory]
    [InlineData("""{"model":"chat","messages":[{"role":"user","content":"hi"}],"n":0}""", "/v1/chat/completions")]
    [InlineData("""{"model":"chat","messages":[{"role":"user","content":"hi"}],"n":129}""", "/v1/chat/completions")]
    [InlineData("""{"model":"chat","messages":[{"role":"user","content":"hi"}],"n":"2"}""", "/v1/chat/completions")]
    [InlineData("""{"model":"chat","prompt":"hi","n":2,"echo":true,"max_tokens":1}""", "/v1/completions")]
    [InlineData("""{"model":"chat","prompt":["a","b"],"n":2}""", "/v1/completions")]
    public async Task A_choice_count_out_of_range_or_with_scoring_is_a_400_naming_n(string body, string path)
    {
        await using var server = await LiveServer.StartAsync();
        var (status, json, _) = await RawHttp.PostAsync(server.Http, path, body);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("n", RawHttp.AssertError(json, "n").GetProperty("param").GetString());
    }

    [Fact]
    public async Task More_choices_than_the_queue_holds_is_a_429_and_no_slot_stays_busy()
    {
        await using var server = await LiveServer.StartAsync(o => o with { Parallel = 1, QueueLimit = 2 });
        var (status, json, res) = await RawHttp.PostAsync(server.Http, "/v1/completions", """{"model":"chat","prompt":"hi","max_tokens":30,"n":6}""");
        Assert.Equal(HttpStatusCode.TooManyRequests, status);
        RawHttp.AssertError(json, "queue");
        Assert.NotNull(res.Headers.RetryAfter);
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (Value(await server.Http.GetStringAsync("/metrics"), "weft_busy_slots") > 0 && DateTime.UtcNow < deadline) await Task.Delay(50);
        Assert.Equal(0, Value(await server.Http.GetStringAsync("/metrics"), "weft_busy_slots"));
        var (ok, _, _) = await RawHttp.PostAsync(server.Http, "/v1/completions", """{"model":"chat","prompt":"hi","max_tokens":3,"n":2}""");
        Assert.Equal(HttpStatusCode.OK, ok);
    }

    private static string? Text(JsonElement choice) => choice.GetProperty("message").GetProperty("content").GetString();

    private static double Value(string metrics, string name) =>
        double.Parse(metrics.Split('\n').First(l => l.StartsWith(name + " ", StringComparison.Ordinal)).Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
}
