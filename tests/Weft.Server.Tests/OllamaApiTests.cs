// The Ollama API over raw HTTP: every field and error path, and answers equal to the /v1 endpoints' for the same request.
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;

namespace Weft.Server.Tests;

public class OllamaApiTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private HttpClient Http => fixture.Server.Http;

    private static readonly object[] Messages =
    [
        new { role = "system", content = "You are a terse assistant." },
        new { role = "user", content = "Name three rivers of Europe." },
    ];

    /// <summary>Greedy and without Ollama's default repeat penalty (1.1), so the answer is the OpenAI endpoints' greedy answer.</summary>
    private static object Greedy(int n) => new { temperature = 0, num_predict = n, repeat_penalty = 1 };

    private async Task<JsonElement> Ok(string path, object body)
    {
        var (status, json, res) = await RawHttp.PostAsync(Http, path, JsonSerializer.Serialize(body));
        Assert.True(status == HttpStatusCode.OK, $"{path}: {status} {json}");
        Assert.Equal("application/json", res.Content.Headers.ContentType?.MediaType);
        return json;
    }

    /// <summary>An Ollama error: the status and {"error": "message"} (a string, not OpenAI's object).</summary>
    private async Task<string> Error(string path, string body, HttpStatusCode expected)
    {
        var (status, json, _) = await RawHttp.PostAsync(Http, path, body);
        Assert.True(status == expected, $"{path} {body}: {status} {json}");
        Assert.Equal(JsonValueKind.Object, json.ValueKind);
        Assert.Equal(JsonValueKind.String, json.GetProperty("error").ValueKind);
        return json.GetProperty("error").GetString()!;
    }

    /// <summary>Posts and reads an NDJSON stream; every line must parse on its own.</summary>
    private async Task<List<JsonElement>> Lines(string path, object body)
    {
        using var req = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json") };
        using var res = await Http.SendAsync(req, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, res.StatusCode);
        Assert.Equal("application/x-ndjson", res.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await res.Content.ReadAsStreamAsync());
        var lines = new List<JsonElement>();
        while (await reader.ReadLineAsync() is { } line)
        {
            Assert.False(string.IsNullOrWhiteSpace(line), "an empty line in the stream");
            lines.Add(JsonDocument.Parse(line).RootElement.Clone());
        }
        return lines;
    }

    [Fact]
    public async Task VersionIsOneOllamaClientsAccept()
    {
        var (status, json) = await RawHttp.GetAsync(Http, "/api/version");
        Assert.Equal(HttpStatusCode.OK, status);
        var version = Version.Parse(json.GetProperty("version").GetString()!);
        Assert.True(version >= new Version(0, 5, 0), version.ToString());
    }

    [Fact]
    public async Task TagsListTheModelsWithLatestAndTheirDetails()
    {
        var (status, json) = await RawHttp.GetAsync(Http, "/api/tags");
        Assert.Equal(HttpStatusCode.OK, status);
        var models = json.GetProperty("models").EnumerateArray().ToList();
        Assert.Equal(new[] { "chat:latest", "slow:latest" }, models.Select(m => m.GetProperty("name").GetString()!).Order(StringComparer.Ordinal).ToArray());
        var chat = models.Single(m => m.GetProperty("name").GetString() == "chat:latest");
        Assert.Equal("chat:latest", chat.GetProperty("model").GetString());
        Assert.Equal(new FileInfo(Path.Combine(fixture.Server.ModelsFolder, "chat.gguf")).Length, chat.GetProperty("size").GetInt64());
        Assert.Matches("^[0-9a-f]{64}$", chat.GetProperty("digest").GetString());
        Assert.NotEqual(chat.GetProperty("digest").GetString(), models.Single(m => m.GetProperty("name").GetString() == "slow:latest").GetProperty("digest").GetString());
        Assert.True(DateTimeOffset.TryParse(chat.GetProperty("modified_at").GetString(), CultureInfo.InvariantCulture, out _));
        var details = chat.GetProperty("details");
        Assert.Equal("gguf", details.GetProperty("format").GetString());
        Assert.Equal("llama", details.GetProperty("family").GetString());
        Assert.Equal(new[] { "llama" }, details.GetProperty("families").EnumerateArray().Select(f => f.GetString()!).ToArray());

        var (_, v1) = await RawHttp.GetAsync(Http, "/v1/models/chat");
        var meta = v1.GetProperty("meta");
        Assert.Equal(meta.GetProperty("type").GetString(), details.GetProperty("quantization_level").GetString());
        string size = details.GetProperty("parameter_size").GetString()!;
        var m = System.Text.RegularExpressions.Regex.Match(size, @"^(\d+(?:\.\d)?)([KMB]?)$");
        Assert.True(m.Success, size);
        double scale = m.Groups[2].Value switch { "B" => 1e9, "M" => 1e6, "K" => 1e3, _ => 1 };
        double parameters = meta.GetProperty("parameters").GetInt64();
        Assert.InRange(double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) * scale, parameters * 0.95, parameters * 1.05);
    }

    [Fact]
    public async Task ShowGivesTheTemplateDetailsAndModelInfo()
    {
        var json = await Ok("/api/show", new { model = "chat" });
        Assert.Equal(Weft.Inference.Templates.BuiltinTemplates.Source("chatml"), json.GetProperty("template").GetString());
        Assert.Contains("FROM chat\n", json.GetProperty("modelfile").GetString(), StringComparison.Ordinal);
        Assert.Equal("num_ctx 512", json.GetProperty("parameters").GetString());
        Assert.Equal("llama", json.GetProperty("details").GetProperty("family").GetString());
        var info = json.GetProperty("model_info");
        Assert.Equal("llama", info.GetProperty("general.architecture").GetString());
        Assert.Equal(128, info.GetProperty("llama.embedding_length").GetInt32());
        Assert.True(info.GetProperty("general.parameter_count").GetInt64() > 0);
        Assert.Contains("completion", json.GetProperty("capabilities").EnumerateArray().Select(c => c.GetString()));
        // the older "name" field, and the name with its tag
        var byName = await Ok("/api/show", new { name = "chat:latest" });
        Assert.Equal(json.GetProperty("template").GetString(), byName.GetProperty("template").GetString());
        Assert.Equal("model \"chat:7b\" not found, try pulling it first", await Error("/api/show", "{\"model\":\"chat:7b\"}", HttpStatusCode.NotFound));
    }

    [Fact]
    public async Task GreedyChatEqualsTheChatCompletionsAnswerAndItsUsage()
    {
        const int n = 24;
        var ours = await Ok("/api/chat", new { model = "chat", messages = Messages, stream = false, options = Greedy(n) });
        var theirs = await Ok("/v1/chat/completions", new { model = "chat", messages = Messages, temperature = 0, max_tokens = n });
        var choice = theirs.GetProperty("choices")[0];
        Assert.Equal("chat", ours.GetProperty("model").GetString());
        Assert.True(ours.GetProperty("done").GetBoolean());
        Assert.Equal("assistant", ours.GetProperty("message").GetProperty("role").GetString());
        Assert.Equal(choice.GetProperty("message").GetProperty("content").GetString(), ours.GetProperty("message").GetProperty("content").GetString());
        Assert.Equal(choice.GetProperty("finish_reason").GetString(), ours.GetProperty("done_reason").GetString());
        var usage = theirs.GetProperty("usage");
        Assert.Equal(usage.GetProperty("prompt_tokens").GetInt32(), ours.GetProperty("prompt_eval_count").GetInt32());
        Assert.Equal(usage.GetProperty("completion_tokens").GetInt32(), ours.GetProperty("eval_count").GetInt32());
        long total = ours.GetProperty("total_duration").GetInt64();
        Assert.True(total > 0 && ours.GetProperty("eval_duration").GetInt64() > 0 && ours.GetProperty("prompt_eval_duration").GetInt64() > 0);
        Assert.True(ours.GetProperty("eval_duration").GetInt64() + ours.GetProperty("prompt_eval_duration").GetInt64() <= total);
        Assert.True(ours.GetProperty("load_duration").GetInt64() >= 0);
    }

    [Fact]
    public async Task ChatStreamsByDefaultAsNdjsonThatAddsUpToTheWholeAnswer()
    {
        var whole = await Ok("/api/chat", new { model = "chat:latest", messages = Messages, stream = false, options = Greedy(24) });
        var lines = await Lines("/api/chat", new { model = "chat:latest", messages = Messages, options = Greedy(24) });
        Assert.True(lines.Count >= 3, $"{lines.Count} lines");
        Assert.All(lines[..^1], l => Assert.False(l.GetProperty("done").GetBoolean()));
        Assert.All(lines, l => Assert.Equal("chat:latest", l.GetProperty("model").GetString()));
        Assert.All(lines, l => Assert.Equal("assistant", l.GetProperty("message").GetProperty("role").GetString()));
        var last = lines[^1];
        Assert.True(last.GetProperty("done").GetBoolean());
        Assert.Equal("", last.GetProperty("message").GetProperty("content").GetString());
        Assert.Equal(whole.GetProperty("message").GetProperty("content").GetString(), string.Concat(lines.Select(l => l.GetProperty("message").GetProperty("content").GetString())));
        foreach (string field in new[] { "done_reason", "prompt_eval_count", "eval_count" })
            Assert.Equal(whole.GetProperty(field).ToString(), last.GetProperty(field).ToString());
        Assert.False(lines[0].TryGetProperty("eval_count", out _), "statistics belong to the last line only");
    }

    [Fact]
    public async Task RawGenerateEqualsTheCompletionsAnswer()
    {
        const string prompt = "Once upon a time, in a land far away,";
        var ours = await Ok("/api/generate", new { model = "chat", prompt, raw = true, stream = false, options = Greedy(16) });
        var theirs = await Ok("/v1/completions", new { model = "chat", prompt, temperature = 0, max_tokens = 16 });
        Assert.Equal(theirs.GetProperty("choices")[0].GetProperty("text").GetString(), ours.GetProperty("response").GetString());
        Assert.Equal(theirs.GetProperty("usage").GetProperty("prompt_tokens").GetInt32(), ours.GetProperty("prompt_eval_count").GetInt32());
        Assert.Equal(theirs.GetProperty("usage").GetProperty("completion_tokens").GetInt32(), ours.GetProperty("eval_count").GetInt32());
        Assert.False(ours.TryGetProperty("context", out _));
        // streamed: the same text in pieces
        var lines = await Lines("/api/generate", new { model = "chat", prompt, raw = true, options = Greedy(16) });
        Assert.Equal(ours.GetProperty("response").GetString(), string.Concat(lines.Select(l => l.GetProperty("response").GetString())));
        Assert.Equal(16, lines[^1].GetProperty("eval_count").GetInt32());
    }

    [Fact]
    public async Task TemplatedGenerateIsTheChatOfSystemAndPrompt()
    {
        var generated = await Ok("/api/generate", new { model = "chat", system = "You are a terse assistant.", prompt = "Name three rivers of Europe.", stream = false, options = Greedy(20) });
        var chat = await Ok("/api/chat", new { model = "chat", messages = Messages, stream = false, options = Greedy(20) });
        Assert.Equal(chat.GetProperty("message").GetProperty("content").GetString(), generated.GetProperty("response").GetString());
        Assert.Equal(chat.GetProperty("prompt_eval_count").GetInt32(), generated.GetProperty("prompt_eval_count").GetInt32());
        var raw = await Ok("/api/generate", new { model = "chat", prompt = "Name three rivers of Europe.", raw = true, stream = false, options = Greedy(20) });
        Assert.True(raw.GetProperty("prompt_eval_count").GetInt32() < generated.GetProperty("prompt_eval_count").GetInt32(), "raw must leave the template out");
    }

    [Fact]
    public async Task NumPredictAndStopTakeEffect()
    {
        var full = await Ok("/api/chat", new { model = "chat", messages = Messages, stream = false, options = Greedy(24) });
        string text = full.GetProperty("message").GetProperty("content").GetString()!;
        Assert.True(full.GetProperty("eval_count").GetInt32() > 5 && text.Length >= 12, $"the greedy answer is too short to test with: '{text}'");
        var shortOne = await Ok("/api/chat", new { model = "chat", messages = Messages, stream = false, options = Greedy(5) });
        Assert.Equal(5, shortOne.GetProperty("eval_count").GetInt32());
        Assert.Equal("length", shortOne.GetProperty("done_reason").GetString());
        Assert.StartsWith(shortOne.GetProperty("message").GetProperty("content").GetString()!, text, StringComparison.Ordinal);

        string stop = text.Substring(text.Length / 2, 3);
        var stopped = await Ok("/api/chat", new { model = "chat", messages = Messages, stream = false, options = new { temperature = 0, num_predict = 24, repeat_penalty = 1, stop = new[] { stop } } });
        Assert.Equal(text[..text.IndexOf(stop, StringComparison.Ordinal)], stopped.GetProperty("message").GetProperty("content").GetString());
        Assert.Equal("stop", stopped.GetProperty("done_reason").GetString());
    }

    [Fact]
    public async Task SeedAndTemperatureTakeEffect()
    {
        async Task<string> Sample(object options) =>
            (await Ok("/api/generate", new { model = "chat", prompt = "Tell me a story.", stream = false, options })).GetProperty("response").GetString()!;
        string a = await Sample(new { temperature = 1.5, seed = 42, num_predict = 24, top_k = 0, top_p = 1 });
        string b = await Sample(new { temperature = 1.5, seed = 42, num_predict = 24, top_k = 0, top_p = 1 });
        string c = await Sample(new { temperature = 1.5, seed = 43, num_predict = 24, top_k = 0, top_p = 1 });
        string greedy = await Sample(new { temperature = 0, seed = 42, num_predict = 24, top_k = 0, top_p = 1 });
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
        Assert.NotEqual(a, greedy);
        Assert.Equal(greedy, await Sample(new { temperature = 0, seed = 7, num_predict = 24, top_k = 0, top_p = 1 }));
    }

    [Fact]
    public async Task NumCtxLimitsTheRequestsContext()
    {
        string body = JsonSerializer.Serialize(new { model = "chat", messages = Messages, stream = false, options = new { num_ctx = 8 } });
        Assert.Contains("this request's context ('options.num_ctx') holds 8", await Error("/api/chat", body, HttpStatusCode.BadRequest), StringComparison.Ordinal);
        // a num_ctx over the server's context is cut to it, not refused
        var big = await Ok("/api/chat", new { model = "chat", messages = Messages, stream = false, options = new { num_ctx = 1 << 20, num_predict = 2 } });
        Assert.Equal(2, big.GetProperty("eval_count").GetInt32());
    }

    [Fact]
    public async Task UnknownOptionsAreIgnoredAndMissingSamplersRefused()
    {
        var ok = await Ok("/api/generate", new
        {
            model = "chat", prompt = "Hi", stream = false,
            options = new { num_predict = 2, tfs_z = 1.0, mirostat = 0, typical_p = 1.0, num_thread = 2, num_gpu = 0, use_mmap = true, no_such_option = "x" },
        });
        Assert.Equal(2, ok.GetProperty("eval_count").GetInt32());
        string message = await Error("/api/generate", "{\"model\":\"chat\",\"prompt\":\"Hi\",\"options\":{\"typical_p\":0.5}}", HttpStatusCode.BadRequest);
        Assert.Contains("'options.typical_p'", message, StringComparison.Ordinal);
        Assert.Contains("'options.mirostat'", await Error("/api/chat", "{\"model\":\"chat\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"options\":{\"mirostat\":2}}", HttpStatusCode.BadRequest), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/api/chat", "{\"model\":\"chat\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"format\":\"yaml\"}", "'format'")]
    [InlineData("/api/generate", "{\"model\":\"chat\",\"prompt\":\"hi\",\"stream\":false,\"format\":{\"type\":\"object\",\"minProperties\":1}}", "'minProperties'")]
    [InlineData("/api/chat", "{\"model\":\"chat\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\"}}]}", "'tools'")]
    [InlineData("/api/chat", "{\"model\":\"chat\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\",\"images\":[\"iVBORw0KGgo=\"]}]}", "'messages[0].images'")]
    [InlineData("/api/generate", "{\"model\":\"chat\",\"prompt\":\"hi\",\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\"}}]}", "'tools'")]
    [InlineData("/api/generate", "{\"model\":\"chat\",\"prompt\":\"hi\",\"images\":[\"iVBORw0KGgo=\"]}", "'images'")]
    [InlineData("/api/generate", "{\"model\":\"chat\",\"prompt\":\"hi\",\"think\":true}", "'think'")]
    [InlineData("/api/generate", "{\"model\":\"chat\",\"prompt\":\"hi\",\"template\":\"{{ .Prompt }}\"}", "'template'")]
    [InlineData("/api/generate", "{\"model\":\"chat\",\"prompt\":\"hi\",\"suffix\":\"end\"}", "'suffix'")]
    [InlineData("/api/generate", "{\"model\":\"chat\",\"prompt\":\"hi\",\"context\":[1,2,3]}", "'context'")]
    public async Task WhatWeftCannotHonourIsRefusedNamingTheField(string path, string body, string field)
    {
        Assert.Contains(field, await Error(path, body, HttpStatusCode.BadRequest), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/api/chat", "{\"model\":\"chat\",", "not valid JSON")]
    [InlineData("/api/generate", "[1]", "must be a JSON object")]
    [InlineData("/api/generate", "{\"prompt\":\"hi\"}", "'model' is required")]
    [InlineData("/api/generate", "{\"model\":5,\"prompt\":\"hi\"}", "'model' must be a string")]
    [InlineData("/api/generate", "{\"model\":\"chat\",\"prompt\":7}", "'prompt' must be a string")]
    [InlineData("/api/generate", "{\"model\":\"chat\",\"prompt\":\"hi\",\"stream\":\"yes\"}", "'stream' must be a boolean")]
    [InlineData("/api/generate", "{\"model\":\"chat\",\"prompt\":\"hi\",\"raw\":1}", "'raw' must be a boolean")]
    [InlineData("/api/generate", "{\"model\":\"chat\",\"prompt\":\"hi\",\"options\":[]}", "'options' must be an object")]
    [InlineData("/api/generate", "{\"model\":\"chat\",\"prompt\":\"hi\",\"options\":{\"temperature\":\"hot\"}}", "'options.temperature' must be a number")]
    [InlineData("/api/generate", "{\"model\":\"chat\",\"prompt\":\"hi\",\"options\":{\"top_p\":2}}", "'options.top_p' must be between")]
    [InlineData("/api/generate", "{\"model\":\"chat\",\"prompt\":\"hi\",\"options\":{\"num_predict\":1.5}}", "'options.num_predict' must be an integer")]
    [InlineData("/api/generate", "{\"model\":\"chat\",\"prompt\":\"hi\",\"options\":{\"stop\":[1]}}", "'options.stop' must be an array of strings")]
    [InlineData("/api/generate", "{\"model\":\"chat\",\"prompt\":\"hi\",\"options\":{\"num_ctx\":0}}", "'options.num_ctx' must be between")]
    [InlineData("/api/generate", "{\"model\":\"chat\",\"prompt\":\"hi\",\"keep_alive\":\"soon\"}", "'keep_alive'")]
    [InlineData("/api/generate", "{\"model\":\"chat\",\"prompt\":\"hi\",\"keep_alive\":\"1e999\"}", "'keep_alive'")]
    [InlineData("/api/generate", "{\"model\":\"chat\",\"prompt\":\"hi\",\"keep_alive\":true}", "'keep_alive'")]
    [InlineData("/api/chat", "{\"model\":\"chat\",\"messages\":{}}", "'messages' must be an array")]
    [InlineData("/api/chat", "{\"model\":\"chat\",\"messages\":[{\"content\":\"hi\"}]}", "'messages[0].role' is required")]
    [InlineData("/api/chat", "{\"model\":\"chat\",\"messages\":[{\"role\":\"wizard\",\"content\":\"hi\"}]}", "'messages[0].role' is 'wizard'")]
    [InlineData("/api/chat", "{\"model\":\"chat\",\"messages\":[{\"role\":\"user\",\"content\":[]}]}", "'messages[0].content' must be a string")]
    [InlineData("/api/chat", "{\"model\":\"chat\",\"messages\":[{\"role\":\"user\",\"content\":\"a\\udc00b\"}]}", "'messages[0].content' is not valid Unicode")]
    [InlineData("/api/embed", "{\"model\":\"chat\",\"input\":5}", "'input' must be a string or an array of strings")]
    [InlineData("/api/embeddings", "{\"model\":\"chat\",\"prompt\":[\"a\"]}", "'prompt' must be a string")]
    public async Task BadRequestsAre400InOllamasShape(string path, string body, string message)
    {
        Assert.Contains(message, await Error(path, body, HttpStatusCode.BadRequest), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/api/chat", "{\"model\":\"MODEL\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")]
    [InlineData("/api/generate", "{\"model\":\"MODEL\",\"prompt\":\"hi\"}")]
    [InlineData("/api/embed", "{\"model\":\"MODEL\",\"input\":\"hi\"}")]
    [InlineData("/api/embeddings", "{\"model\":\"MODEL\",\"prompt\":\"hi\"}")]
    [InlineData("/api/show", "{\"model\":\"MODEL\"}")]
    public async Task UnknownModelIs404WithOllamasWording(string path, string body)
    {
        foreach (string name in new[] { "nope", "nope:latest", "chat:7b", "../chat", "chat.gguf", ":latest" })
            Assert.Equal($"model \"{name}\" not found, try pulling it first", await Error(path, body.Replace("MODEL", name, StringComparison.Ordinal), HttpStatusCode.NotFound));
    }

    [Fact]
    public async Task ModelManagementIsA404SayingWhereModelsComeFrom()
    {
        Assert.Contains("weft pull", await Error("/api/pull", "{\"model\":\"llama3.2\"}", HttpStatusCode.NotFound), StringComparison.Ordinal);
        Assert.Contains("model management", await Error("/api/create", "{\"model\":\"x\"}", HttpStatusCode.NotFound), StringComparison.Ordinal);
        // the catalog's own /api/pulls is untouched
        var (status, _) = await RawHttp.GetAsync(Http, "/api/pulls");
        Assert.Equal(HttpStatusCode.OK, status);
    }

    [Fact]
    public async Task BrokenModelIsAServerError()
    {
        Assert.Contains("'broken' cannot be loaded", await Error("/api/generate", "{\"model\":\"broken\",\"prompt\":\"hi\"}", HttpStatusCode.InternalServerError), StringComparison.Ordinal);
    }

    [Fact]
    public async Task StreamedPromptOverTheContextIs400BeforeTheStreamStarts()
    {
        string body = JsonSerializer.Serialize(new { model = "chat", messages = new[] { new { role = "user", content = string.Concat(Enumerable.Repeat("colour ", 2000)) } } });
        var (status, json, res) = await RawHttp.PostAsync(Http, "/api/chat", body);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("application/json", res.Content.Headers.ContentType?.MediaType);
        Assert.Contains("but the context of 'chat' holds 512", json.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task EmbedGivesTheEmbeddingsEndpointsVectors()
    {
        string[] texts = ["Hello world", "The quick brown fox jumps over the lazy dog."];
        var ours = await Ok("/api/embed", new { model = "chat", input = texts });
        var theirs = await Ok("/v1/embeddings", new { model = "chat", input = texts });
        Assert.Equal("chat", ours.GetProperty("model").GetString());
        var vectors = ours.GetProperty("embeddings").EnumerateArray().Select(v => v.EnumerateArray().Select(x => x.GetSingle()).ToArray()).ToList();
        Assert.Equal(2, vectors.Count);
        for (int i = 0; i < 2; i++)
            Assert.Equal(theirs.GetProperty("data")[i].GetProperty("embedding").EnumerateArray().Select(x => x.GetSingle()), vectors[i]);
        Assert.NotEqual(vectors[0], vectors[1]);
        Assert.Equal(theirs.GetProperty("usage").GetProperty("prompt_tokens").GetInt32(), ours.GetProperty("prompt_eval_count").GetInt32());
        Assert.True(ours.GetProperty("total_duration").GetInt64() > 0);

        var one = await Ok("/api/embed", new { model = "chat:latest", input = texts[0] });
        Assert.Equal(vectors[0], one.GetProperty("embeddings")[0].EnumerateArray().Select(x => x.GetSingle()));
        var legacy = await Ok("/api/embeddings", new { model = "chat", prompt = texts[0] });
        Assert.Equal(vectors[0], legacy.GetProperty("embedding").EnumerateArray().Select(x => x.GetSingle()));
    }

    [Fact]
    public async Task EmbedTruncatesLongInputsUnlessToldNot()
    {
        string longText = string.Concat(Enumerable.Repeat("colour ", 2000));
        var cut = await Ok("/api/embed", new { model = "chat", input = longText });
        Assert.Equal(512, cut.GetProperty("prompt_eval_count").GetInt32());
        Assert.Contains("context", await Error("/api/embed", JsonSerializer.Serialize(new { model = "chat", input = longText, truncate = false }), HttpStatusCode.BadRequest), StringComparison.Ordinal);
    }

    [Fact]
    public async Task EmptyRequestsLoadAndKeepAliveZeroUnloads()
    {
        async Task<List<string?>> Running()
        {
            var (status, json) = await RawHttp.GetAsync(Http, "/api/ps");
            Assert.Equal(HttpStatusCode.OK, status);
            var models = json.GetProperty("models").EnumerateArray().ToList();
            foreach (var m in models)
            {
                Assert.Equal(0, m.GetProperty("size_vram").GetInt64());
                Assert.True(DateTimeOffset.Parse(m.GetProperty("expires_at").GetString()!, CultureInfo.InvariantCulture) > DateTimeOffset.UtcNow.AddYears(1));
            }
            return [.. models.Select(m => m.GetProperty("name").GetString())];
        }
        var loaded = await Ok("/api/generate", new { model = "slow" });
        Assert.Equal("load", loaded.GetProperty("done_reason").GetString());
        Assert.Equal("", loaded.GetProperty("response").GetString());
        Assert.Contains("slow:latest", await Running());
        var unloaded = await Ok("/api/chat", new { model = "slow", messages = Array.Empty<object>(), keep_alive = 0 });
        Assert.Equal("unload", unloaded.GetProperty("done_reason").GetString());
        Assert.DoesNotContain("slow:latest", await Running());
        // keep_alive 0 on a real request unloads after it; any other keep_alive leaves the model loaded
        await Ok("/api/generate", new { model = "slow", prompt = "Hi", stream = false, keep_alive = "5m", options = new { num_predict = 2 } });
        Assert.Contains("slow:latest", await Running());
        await Ok("/api/generate", new { model = "slow", prompt = "Hi", stream = false, keep_alive = "0s", options = new { num_predict = 2 } });
        Assert.DoesNotContain("slow:latest", await Running());
    }

    [Fact]
    public async Task ApiKeyIsNeededAsOnV1AndRefusedInOllamasShape()
    {
        await using var locked = await LiveServer.StartAsync(o => o with { ApiKey = "sesame" });
        var (status, json) = await RawHttp.GetAsync(locked.Http, "/api/tags");
        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Contains("API key", json.GetProperty("error").GetString(), StringComparison.Ordinal);
        var (wrong, _, _) = await RawHttp.PostAsync(locked.Http, "/api/generate", "{\"model\":\"chat\"}", "Bearer nope");
        Assert.Equal(HttpStatusCode.Unauthorized, wrong);
        var (okStatus, tags) = await RawHttp.GetAsync(locked.Http, "/api/tags", "Bearer sesame");
        Assert.Equal(HttpStatusCode.OK, okStatus);
        Assert.True(tags.GetProperty("models").GetArrayLength() >= 2);
    }

    [Fact]
    public async Task FullQueueIs429WithRetryAfterAsOnV1()
    {
        await using var server = await LiveServer.StartAsync(o => o with { QueueLimit = 1, Parallel = 1 });
        const string body = "{\"model\":\"slow\",\"prompt\":\"Tell me a story\",\"stream\":false,\"options\":{\"num_predict\":200,\"temperature\":0}}";
        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => RawHttp.PostAsync(server.Http, "/api/generate", body)));
        var busy = results.Where(r => r.Status == HttpStatusCode.TooManyRequests).ToList();
        Assert.NotEmpty(busy);
        Assert.All(busy, r =>
        {
            Assert.True(r.Response.Headers.RetryAfter != null, "429 needs Retry-After");
            Assert.Contains("queue", r.Body.GetProperty("error").GetString(), StringComparison.Ordinal);
        });
        Assert.All(results.Where(r => r.Status != HttpStatusCode.TooManyRequests), r =>
        {
            Assert.Equal(HttpStatusCode.OK, r.Status);
            Assert.Equal(200, r.Body.GetProperty("eval_count").GetInt32());
        });
    }

    [Fact]
    public async Task ClientDisconnectStopsAStreamedChat()
    {
        await using var server = await LiveServer.StartAsync();
        const int max = 900;
        string body = JsonSerializer.Serialize(new { model = "slow", messages = new[] { new { role = "user", content = "Go on" } }, options = new { num_predict = max, temperature = 0 } });
        using (var req = new HttpRequestMessage(HttpMethod.Post, "/api/chat") { Content = new StringContent(body, Encoding.UTF8, "application/json") })
        using (var res = await server.Http.SendAsync(req, HttpCompletionOption.ResponseHeadersRead))
        {
            using var reader = new StreamReader(await res.Content.ReadAsStreamAsync());
            for (int lines = 0; lines < 3 && await reader.ReadLineAsync() is not null; lines++) { }
        } // disposing the response closes the connection
        var deadline = DateTime.UtcNow.AddSeconds(30);
        double generated = -1, busySlots = -1;
        while (DateTime.UtcNow < deadline)
        {
            string metrics = await server.Http.GetStringAsync("/metrics");
            busySlots = Metric(metrics, "weft_busy_slots");
            generated = Metric(metrics, "weft_generated_tokens_total");
            if (busySlots == 0) break;
            await Task.Delay(50);
        }
        Assert.Equal(0, busySlots);
        // the cancelled generation is never counted as finished, and no slot still runs it
        Assert.InRange(generated, 0, max - 1);
        var (status, ps) = await RawHttp.GetAsync(server.Http, "/api/ps");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains(ps.GetProperty("models").EnumerateArray(), m => m.GetProperty("name").GetString() == "slow:latest");
    }

    private static double Metric(string metrics, string name) =>
        double.Parse(metrics.Split('\n').First(l => l.StartsWith(name + " ", StringComparison.Ordinal)).Split(' ')[1], CultureInfo.InvariantCulture);
}
