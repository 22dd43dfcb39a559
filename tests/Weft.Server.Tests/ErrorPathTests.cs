// Every refused request answers in OpenAI's error shape with the right status, and the server keeps serving.
using System.Net;
using System.Text;

namespace Weft.Server.Tests;

public class ErrorPathTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private HttpClient Http => fixture.Server.Http;

    [Theory]
    [InlineData("{\"model\":\"chat\",", "not valid JSON", null)]
    [InlineData("[1,2]", "must be a JSON object", null)]
    [InlineData("{\"prompt\":\"hi\"}", "'model' is required", "model")]
    [InlineData("{\"model\":7,\"prompt\":\"hi\"}", "'model' must be a string", "model")]
    [InlineData("{\"model\":\"chat\",\"prompt\":\"hi\",\"temperature\":\"hot\"}", "'temperature' must be a number", "temperature")]
    [InlineData("{\"model\":\"chat\",\"prompt\":\"hi\",\"temperature\":3}", "'temperature' must be between 0 and 2", "temperature")]
    [InlineData("{\"model\":\"chat\",\"prompt\":\"hi\",\"max_tokens\":-1}", "'max_tokens' must be between", "max_tokens")]
    [InlineData("{\"model\":\"chat\",\"prompt\":\"hi\",\"stop\":5}", "'stop' must be a string or an array", "stop")]
    [InlineData("{\"model\":\"chat\",\"prompt\":\"hi\",\"stream\":\"yes\"}", "'stream' must be a boolean", "stream")]
    [InlineData("{\"model\":\"chat\",\"prompt\":[1,-5]}", "not a token id", "prompt")]
    [InlineData("{\"model\":\"chat\"}", "'prompt' is required", "prompt")]
    public async Task BadCompletionRequestsAre400(string body, string message, string? param)
    {
        var (status, json, _) = await RawHttp.PostAsync(Http, "/v1/completions", body);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        var e = RawHttp.AssertError(json, message);
        if (param != null) Assert.Equal(param, e.GetProperty("param").GetString());
    }

    [Theory]
    [InlineData("{\"model\":\"chat\"}", "'messages' is required")]
    [InlineData("{\"model\":\"chat\",\"messages\":{}}", "'messages' must be an array")]
    [InlineData("{\"model\":\"chat\",\"messages\":[]}", "must not be empty")]
    [InlineData("{\"model\":\"chat\",\"messages\":[{\"content\":\"hi\"}]}", "'messages[0].role' is required")]
    [InlineData("{\"model\":\"chat\",\"messages\":[{\"role\":\"wizard\",\"content\":\"hi\"}]}", "'messages[0].role' is 'wizard'")]
    [InlineData("{\"model\":\"chat\",\"messages\":[{\"role\":\"user\",\"content\":3}]}", "'messages[0].content' must be a string")]
    [InlineData("{\"model\":\"chat\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\"}]}]}", "text parts only")]
    public async Task BadChatRequestsAre400(string body, string message)
    {
        var (status, json, _) = await RawHttp.PostAsync(Http, "/v1/chat/completions", body);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        RawHttp.AssertError(json, message);
    }

    [Fact]
    public async Task UnknownModelIs404AndNeverAPath()
    {
        foreach (string id in new[] { "nope", "../chat", "/etc/passwd", "chat.gguf" })
        {
            var (status, json, _) = await RawHttp.PostAsync(Http, "/v1/completions", $"{{\"model\":{System.Text.Json.JsonSerializer.Serialize(id)},\"prompt\":\"hi\"}}");
            Assert.Equal(HttpStatusCode.NotFound, status);
            Assert.Equal("model", RawHttp.AssertError(json, "does not exist").GetProperty("param").GetString());
        }
    }

    [Fact]
    public async Task BrokenModelFileIsAServerErrorNamingTheModel()
    {
        var (status, json, _) = await RawHttp.PostAsync(Http, "/v1/completions", "{\"model\":\"broken\",\"prompt\":\"hi\"}");
        Assert.Equal(HttpStatusCode.InternalServerError, status);
        RawHttp.AssertError(json, "'broken' cannot be loaded");
    }

    [Fact]
    public async Task PromptOverTheContextIs400StatingTheLimit()
    {
        var ids = string.Join(',', Enumerable.Range(300, 600));
        var (status, json, _) = await RawHttp.PostAsync(Http, "/v1/completions", $"{{\"model\":\"chat\",\"prompt\":[{ids}]}}");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        var e = RawHttp.AssertError(json, "the prompt has 600 tokens but the context of 'chat' holds 512");
        Assert.Equal("context_length_exceeded", e.GetProperty("code").GetString());
    }

    [Theory]
    [InlineData("/v1/completions", "\"prompt\":[IDS]")]
    [InlineData("/v1/chat/completions", "\"messages\":[{\"role\":\"user\",\"content\":\"WORDS\"}]")]
    public async Task StreamedPromptOverTheContextIs400BeforeTheStreamStarts(string path, string input)
    {
        string body = input.Replace("IDS", string.Join(',', Enumerable.Range(300, 600)), StringComparison.Ordinal)
            .Replace("WORDS", string.Concat(Enumerable.Repeat("colour ", 2000)), StringComparison.Ordinal);
        var (status, json, _) = await RawHttp.PostAsync(Http, path, $"{{\"model\":\"chat\",\"stream\":true,{body}}}");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("context_length_exceeded", RawHttp.AssertError(json, "but the context of 'chat' holds 512").GetProperty("code").GetString());
    }

    [Theory]
    [InlineData("/v1/completions", "{\"model\":\"chat\",\"prompt\":\"Hello\",\"max_tokens\":2,\"stop\":\"\"}")]
    [InlineData("/v1/completions", "{\"model\":\"chat\",\"prompt\":\"Hello\",\"max_tokens\":2,\"stop\":[\"\",\"x\"]}")]
    [InlineData("/api/generate", "{\"model\":\"chat\",\"prompt\":\"Hello\",\"stream\":false,\"options\":{\"num_predict\":2,\"stop\":\"\"}}")]
    public async Task AnEmptyStopStringIsDropped(string path, string body)
    {
        var (status, json, _) = await RawHttp.PostAsync(Http, path, body);
        Assert.True(status == HttpStatusCode.OK, $"{(int)status}: {json}");
    }

    [Fact]
    public async Task LoneSurrogateEscapeIs400NamingTheField()
    {
        var (status, json, _) = await RawHttp.PostAsync(Http, "/v1/chat/completions",
            "{\"model\":\"chat\",\"messages\":[{\"role\":\"user\",\"content\":\"a\\udc00b\"}]}");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("messages[0].content", RawHttp.AssertError(json, "not valid Unicode").GetProperty("param").GetString());
    }

    [Fact]
    public async Task BodyTooLargeIs413()
    {
        // a small limit, so that the whole body sits in socket buffers when the server answers before reading it
        await using var small = await LiveServer.StartAsync(o => o with { MaxRequestBytes = 4096 });
        var big = new StringBuilder("{\"model\":\"chat\",\"prompt\":\"");
        big.Append('x', 6000).Append("\"}");
        var (status, json, _) = await RawHttp.PostAsync(small.Http, "/v1/completions", big.ToString());
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
        RawHttp.AssertError(json, "larger than the server accepts");
    }

    [Fact]
    public async Task UnknownEndpointIs404InErrorShape()
    {
        var (status, json) = await RawHttp.GetAsync(Http, "/v1/nothing-here");
        Assert.Equal(HttpStatusCode.NotFound, status);
        RawHttp.AssertError(json, "no endpoint GET /v1/nothing-here");
    }

    [Fact]
    public async Task HealthAndMetricsAnswer()
    {
        var (status, json) = await RawHttp.GetAsync(Http, "/health");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("ok", json.GetProperty("status").GetString());
        await RawHttp.PostAsync(Http, "/v1/completions", "{\"model\":\"chat\",\"prompt\":\"hi\",\"max_tokens\":3,\"temperature\":0}");
        string metrics = await Http.GetStringAsync("/metrics");
        foreach (string name in new[] { "weft_requests_total", "weft_prompt_tokens_total", "weft_generated_tokens_total", "weft_queue_depth", "weft_busy_slots", "weft_generated_tokens_per_second" })
            Assert.Contains("\n" + name + " ", "\n" + metrics, StringComparison.Ordinal);
        var generated = metrics.Split('\n').First(l => l.StartsWith("weft_generated_tokens_total ", StringComparison.Ordinal));
        Assert.True(double.Parse(generated.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture) >= 1);
    }
}
