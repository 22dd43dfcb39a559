// API keys, the bounded queue (429 with Retry-After) and stopping generation when the client goes away.
using System.Net;
using System.Text;

namespace Weft.Server.Tests;

public class ServingPolicyTests
{
    [Fact]
    public async Task ApiKeyIsRequiredOnV1Only()
    {
        await using var server = await LiveServer.StartAsync(o => o with { ApiKey = "s3cret" });
        var (none, noneBody) = await RawHttp.GetAsync(server.Http, "/v1/models");
        Assert.Equal(HttpStatusCode.Unauthorized, none);
        RawHttp.AssertError(noneBody, "needs an API key");
        var (wrong, wrongBody) = await RawHttp.GetAsync(server.Http, "/v1/models", "Bearer nope");
        Assert.Equal(HttpStatusCode.Unauthorized, wrong);
        RawHttp.AssertError(wrongBody, "not valid");
        var (right, _) = await RawHttp.GetAsync(server.Http, "/v1/models", "Bearer s3cret");
        Assert.Equal(HttpStatusCode.OK, right);
        var (health, _) = await RawHttp.GetAsync(server.Http, "/health");
        Assert.Equal(HttpStatusCode.OK, health);
    }

    [Fact]
    public async Task FullQueueAnswers429WithRetryAfterAndEveryOtherRequestCompletes()
    {
        await using var server = await LiveServer.StartAsync(o => o with { QueueLimit = 1, Parallel = 1 });
        const string body = "{\"model\":\"slow\",\"prompt\":\"Tell me a story\",\"max_tokens\":300,\"temperature\":0}";
        var calls = Enumerable.Range(0, 8).Select(_ => RawHttp.PostAsync(server.Http, "/v1/completions", body)).ToList();
        var results = await Task.WhenAll(calls);
        var busy = results.Where(r => r.Status == HttpStatusCode.TooManyRequests).ToList();
        Assert.NotEmpty(busy);
        Assert.All(busy, r =>
        {
            Assert.True(r.Response.Headers.RetryAfter != null, "429 needs Retry-After");
            RawHttp.AssertError(r.Body, "queue");
        });
        Assert.All(results.Where(r => r.Status != HttpStatusCode.TooManyRequests), r =>
        {
            Assert.Equal(HttpStatusCode.OK, r.Status);
            Assert.True(r.Body.GetProperty("usage").GetProperty("completion_tokens").GetInt32() > 0);
        });
    }

    [Fact]
    public async Task ClientDisconnectStopsGeneration()
    {
        await using var server = await LiveServer.StartAsync();
        const int max = 900;
        using (var req = new HttpRequestMessage(HttpMethod.Post, "/v1/completions")
        {
            Content = new StringContent($"{{\"model\":\"slow\",\"prompt\":\"Go on\",\"max_tokens\":{max},\"temperature\":0,\"stream\":true}}", Encoding.UTF8, "application/json"),
        })
        using (var res = await server.Http.SendAsync(req, HttpCompletionOption.ResponseHeadersRead))
        {
            using var reader = new StreamReader(await res.Content.ReadAsStreamAsync());
            int events = 0;
            while (events < 3 && await reader.ReadLineAsync() is { } line)
                if (line.StartsWith("data: ", StringComparison.Ordinal)) events++;
        } // disposing the response closes the connection
        var deadline = DateTime.UtcNow.AddSeconds(30);
        double generated = -1, busy = -1;
        while (DateTime.UtcNow < deadline)
        {
            string metrics = await server.Http.GetStringAsync("/metrics");
            busy = Value(metrics, "weft_busy_slots");
            generated = Value(metrics, "weft_generated_tokens_total");
            if (busy == 0 && generated > 0) break;
            await Task.Delay(50);
        }
        Assert.Equal(0, busy);
        Assert.InRange(generated, 1, max - 1);
    }

    [Fact]
    public async Task ARepeatedPromptIsCopiedFromTheBusySlot()
    {
        await using var server = await LiveServer.StartAsync(o => o with { Parallel = 2 });
        const string prompt = "Tell me a long story about the rivers and the mountains of the old country";
        using var req = new HttpRequestMessage(HttpMethod.Post, "/v1/completions")
        {
            Content = new StringContent($"{{\"model\":\"slow\",\"prompt\":\"{prompt}\",\"max_tokens\":400,\"temperature\":0,\"stream\":true}}", Encoding.UTF8, "application/json"),
        };
        using var res = await server.Http.SendAsync(req, HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await res.Content.ReadAsStreamAsync());
        while (await reader.ReadLineAsync() is { } line && !line.StartsWith("data: ", StringComparison.Ordinal)) { } // its prompt is in the cache
        var (status, json, _) = await RawHttp.PostAsync(server.Http, "/v1/completions", $"{{\"model\":\"slow\",\"prompt\":\"{prompt}\",\"max_tokens\":2,\"temperature\":0}}");
        Assert.Equal(HttpStatusCode.OK, status);
        int promptTokens = json.GetProperty("usage").GetProperty("prompt_tokens").GetInt32();
        string metrics = await server.Http.GetStringAsync("/metrics");
        // all but the last prompt token, evaluated again for its logits, came from the other slot
        Assert.Equal(promptTokens - 1, Value(metrics, "weft_prompt_tokens_copied"));
        Assert.True(Value(metrics, "weft_prompt_tokens_reused") >= promptTokens - 1);
    }

    [Fact]
    public async Task WithoutAParallelSettingSmallModelsGetFourSlots()
    {
        await using var server = await LiveServer.StartAsync(o => o with { Parallel = 0 });
        var (status, _, _) = await RawHttp.PostAsync(server.Http, "/v1/completions", """{"model":"chat","prompt":"hi","max_tokens":1}""");
        Assert.Equal(HttpStatusCode.OK, status);
        var (_, model) = await RawHttp.GetAsync(server.Http, "/v1/models/chat");
        Assert.Equal(Weft.Server.Hosting.ModelPool.MaxAutoSlots, model.GetProperty("meta").GetProperty("slots").GetInt32());
    }

    [Theory]
    [InlineData(32, 4096, 8192, 24L << 30, 1)] // Llama 2 7B: 4 GiB a slot, a quarter of 24 GiB holds one
    [InlineData(32, 4096, 2048, 24L << 30, 4)] // Mistral 7B (GQA): 1 GiB a slot
    [InlineData(32, 4096, 2048, 8L << 30, 2)]
    [InlineData(80, 4096, 2048, 8L << 30, 1)] // never fewer than one
    public void AutoSlotsKeepTheKvCachesInAQuarterOfTheMemory(int layers, int context, int kvWidth, long memory, int expected) =>
        Assert.Equal(expected, Weft.Server.Hosting.ModelPool.AutoSlots(layers, context, kvWidth, memory));

    private static double Value(string metrics, string name) =>
        double.Parse(metrics.Split('\n').First(l => l.StartsWith(name + " ", StringComparison.Ordinal)).Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
}
