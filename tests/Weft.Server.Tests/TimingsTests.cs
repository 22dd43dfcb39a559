// llama-server's timings object: on every whole answer and on the chunk that ends a stream, for chat and text completions.
using System.Net;
using System.Text.Json;

namespace Weft.Server.Tests;

public class TimingsTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private HttpClient Http => fixture.Server.Http;

    private static readonly string[] Fields = ["prompt_n", "prompt_ms", "prompt_per_second", "predicted_n", "predicted_ms", "predicted_per_second"];

    public static TheoryData<string, string> Requests => new()
    {
        { "/v1/chat/completions", "{\"model\":\"chat\",\"messages\":[{\"role\":\"user\",\"content\":\"Tell me a story.\"}],\"max_tokens\":8,\"temperature\":0%STREAM%}" },
        { "/v1/completions", "{\"model\":\"chat\",\"prompt\":\"Once upon a time\",\"max_tokens\":8,\"temperature\":0%STREAM%}" },
    };

    private static void AssertTimings(JsonElement timings, int promptTokens, int completionTokens)
    {
        foreach (string f in Fields)
        {
            Assert.True(timings.TryGetProperty(f, out var v), $"timings.{f} is missing");
            Assert.True(v.GetDouble() >= 0, $"timings.{f} is {v.GetDouble()}");
        }
        Assert.Equal(promptTokens, timings.GetProperty("prompt_n").GetInt32());
        Assert.Equal(completionTokens, timings.GetProperty("predicted_n").GetInt32());
        if (completionTokens > 0) Assert.True(timings.GetProperty("predicted_per_second").GetDouble() > 0);
    }

    [Theory]
    [MemberData(nameof(Requests))]
    public async Task WholeAnswersCarryTimings(string path, string request)
    {
        var (status, json, _) = await RawHttp.PostAsync(Http, path, request.Replace("%STREAM%", "", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.OK, status);
        var usage = json.GetProperty("usage");
        AssertTimings(json.GetProperty("timings"), usage.GetProperty("prompt_tokens").GetInt32(), usage.GetProperty("completion_tokens").GetInt32());
    }

    [Theory]
    [MemberData(nameof(Requests))]
    public async Task TheLastStreamedChunkCarriesTimings(string path, string request)
    {
        var events = await Sse.ReadAsync(Http, path, request.Replace("%STREAM%", ",\"stream\":true,\"stream_options\":{\"include_usage\":true}", StringComparison.Ordinal));
        Assert.Equal("[DONE]", events[^1]);
        var chunks = events[..^1].Select(e => JsonDocument.Parse(e).RootElement).ToList();
        var usage = chunks[^1].GetProperty("usage");
        var last = chunks[^2];
        Assert.NotEqual(JsonValueKind.Null, last.GetProperty("choices")[0].GetProperty("finish_reason").ValueKind);
        AssertTimings(last.GetProperty("timings"), usage.GetProperty("prompt_tokens").GetInt32(), usage.GetProperty("completion_tokens").GetInt32());
        Assert.All(chunks[..^2], c => Assert.False(c.TryGetProperty("timings", out _)));
    }
}
