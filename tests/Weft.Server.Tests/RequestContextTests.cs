// "weft": {"ctx": N}: a request runs with a context of N tokens (1 to the server's), which limits its prompt and its answer.
using System.Net;
using System.Text.Json;
using Weft.TestKit;

namespace Weft.Server.Tests;

public class RequestContextTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private HttpClient Http => fixture.Server.Http;

    // a fixed id prompt of 10 tokens (the chat model's context is 512 on this server)
    private static readonly string Prompt = string.Join(',', TinyModels.RandomPrompt(32000, 10, 17));

    private static string Completion(string extra) =>
        $"{{\"model\":\"chat\",\"prompt\":[{Prompt}],\"temperature\":0{extra}}}";

    [Fact]
    public async Task MaxTokensBeyondTheRequestsContextEndsWithLength()
    {
        var (status, json, _) = await RawHttp.PostAsync(Http, "/v1/completions", Completion(",\"max_tokens\":100,\"weft\":{\"ctx\":16}"));
        Assert.Equal(HttpStatusCode.OK, status);
        int n = json.GetProperty("usage").GetProperty("completion_tokens").GetInt32();
        string finish = json.GetProperty("choices")[0].GetProperty("finish_reason").GetString()!;
        // greedy on a fixed model and prompt: this prompt runs on without an end-of-generation token
        Assert.Equal("length", finish);
        // 6 positions after the prompt: 6 tokens evaluated, and the one sampled from the last of them
        Assert.Equal(16 - 10 + 1, n);

        // the same request without the field runs on the whole context
        var (_, free, _) = await RawHttp.PostAsync(Http, "/v1/completions", Completion(",\"max_tokens\":20"));
        Assert.Equal("length", free.GetProperty("choices")[0].GetProperty("finish_reason").GetString());
        Assert.Equal(20, free.GetProperty("usage").GetProperty("completion_tokens").GetInt32());
    }

    [Fact]
    public async Task WithoutMaxTokensTheAnswerFillsTheRequestsContext()
    {
        var (status, json, _) = await RawHttp.PostAsync(Http, "/v1/chat/completions",
            "{\"model\":\"chat\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"temperature\":0,\"weft\":{\"ctx\":40}}");
        Assert.Equal(HttpStatusCode.OK, status);
        var usage = json.GetProperty("usage");
        Assert.True(usage.GetProperty("total_tokens").GetInt32() <= 40, usage.ToString());
    }

    [Fact]
    public async Task ThePromptMustFitTheRequestsContext()
    {
        var (status, json, _) = await RawHttp.PostAsync(Http, "/v1/completions", Completion(",\"weft\":{\"ctx\":8}"));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        var e = RawHttp.AssertError(json, "the prompt has 10 tokens but this request's context ('weft.ctx') holds 8");
        Assert.Equal("context_length_exceeded", e.GetProperty("code").GetString());

        var (chatStatus, chatJson, _) = await RawHttp.PostAsync(Http, "/v1/chat/completions",
            "{\"model\":\"chat\",\"messages\":[{\"role\":\"user\",\"content\":\"a question of more than a few tokens\"}],\"weft\":{\"ctx\":4}}");
        Assert.Equal(HttpStatusCode.BadRequest, chatStatus);
        RawHttp.AssertError(chatJson, "this request's context ('weft.ctx') holds 4");
    }

    [Theory]
    [InlineData("/v1/completions", "{\"ctx\":0}", "'weft.ctx' must be between 1 and 512", "weft.ctx")]
    [InlineData("/v1/completions", "{\"ctx\":513}", "'weft.ctx' must be between 1 and 512", "weft.ctx")]
    [InlineData("/v1/chat/completions", "{\"ctx\":100000}", "'weft.ctx' must be between 1 and 512", "weft.ctx")]
    [InlineData("/v1/chat/completions", "{\"ctx\":\"big\"}", "'weft.ctx' must be an integer", "weft.ctx")]
    [InlineData("/v1/completions", "{\"ctx\":1.5}", "'weft.ctx' must be an integer", "weft.ctx")]
    [InlineData("/v1/completions", "7", "'weft' must be an object", "weft")]
    public async Task BadContextsAre400(string path, string weft, string message, string param)
    {
        string body = path == "/v1/completions"
            ? $"{{\"model\":\"chat\",\"prompt\":\"hi\",\"weft\":{weft}}}"
            : $"{{\"model\":\"chat\",\"messages\":[{{\"role\":\"user\",\"content\":\"hi\"}}],\"weft\":{weft}}}";
        var (status, json, _) = await RawHttp.PostAsync(Http, path, body);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(param, RawHttp.AssertError(json, message).GetProperty("param").GetString());
    }

    [Fact]
    public async Task AStreamedAnswerStopsAtTheRequestsContextToo()
    {
        var events = await Sse.ReadAsync(Http, "/v1/completions", Completion(",\"max_tokens\":100,\"stream\":true,\"stream_options\":{\"include_usage\":true},\"weft\":{\"ctx\":14}"));
        var chunks = events[..^1].Select(e => JsonDocument.Parse(e).RootElement).ToList();
        int n = chunks[^1].GetProperty("usage").GetProperty("completion_tokens").GetInt32();
        string finish = chunks[^2].GetProperty("choices")[0].GetProperty("finish_reason").GetString()!;
        Assert.Equal("length", finish);
        Assert.Equal(14 - 10 + 1, n);
    }
}
