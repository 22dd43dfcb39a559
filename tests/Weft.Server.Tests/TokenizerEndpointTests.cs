// POST /tokenize, POST /detokenize, GET /tokenizer_info against the model's own tokenizer.
using System.Net;
using System.Text.Json;
using Weft.Models;

namespace Weft.Server.Tests;

public class TokenizerEndpointTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private HttpClient Http => fixture.Server.Http;

    private Model LoadChat() => Model.Load(Path.Combine(fixture.Server.ModelsFolder, "chat.gguf"));

    [Theory]
    [InlineData("prompt", true)]
    [InlineData("content", false)]
    public async Task TokenizeIsTheModelsTokenizerAndDetokenizeUndoesIt(string field, bool special)
    {
        const string text = "And God said, Let there be light: and there was light.";
        var (status, json, _) = await RawHttp.PostAsync(Http, "/tokenize",
            $"{{\"model\":\"chat\",\"{field}\":{JsonSerializer.Serialize(text)},\"add_special_tokens\":{(special ? "true" : "false")}}}");
        Assert.Equal(HttpStatusCode.OK, status);
        int[] ids = [.. json.GetProperty("tokens").EnumerateArray().Select(t => t.GetInt32())];
        using var model = LoadChat();
        Assert.Equal(model.Tokenizer.Encode(text, addSpecial: special, parseSpecial: true), ids);
        Assert.Equal(ids.Length, json.GetProperty("count").GetInt32());
        Assert.Equal(512, json.GetProperty("max_model_len").GetInt32());
        var (back, detok, _) = await RawHttp.PostAsync(Http, "/detokenize", $"{{\"model\":\"chat\",\"tokens\":[{string.Join(',', ids)}]}}");
        Assert.Equal(HttpStatusCode.OK, back);
        // as llama.cpp detokenizes: after a BOS the first word keeps the space its piece carries
        string expected = special && model.Tokenizer.AddSpacePrefix ? " " + text : text;
        Assert.Equal(expected, detok.GetProperty("prompt").GetString());
        Assert.Equal(expected, detok.GetProperty("content").GetString());
    }

    [Fact]
    public async Task TokenizerInfoNamesTheSpecialTokensAndSizes()
    {
        var (status, json) = await RawHttp.GetAsync(Http, "/tokenizer_info?model=chat");
        Assert.Equal(HttpStatusCode.OK, status);
        using var model = LoadChat();
        var t = model.Tokenizer;
        Assert.Equal(t.Bos, json.GetProperty("bos_token_id").GetInt32());
        Assert.Equal(t.Eos, json.GetProperty("eos_token_id").GetInt32());
        Assert.Equal(t.TokenText(t.Bos), json.GetProperty("bos_token").GetString());
        Assert.Equal(t.TokenText(t.Eos), json.GetProperty("eos_token").GetString());
        Assert.Equal(t.AddBos, json.GetProperty("add_bos_token").GetBoolean());
        Assert.Equal(t.VocabSize, json.GetProperty("vocab_size").GetInt32());
        Assert.Equal(512, json.GetProperty("model_max_length").GetInt32());
        Assert.Equal(JsonValueKind.String, json.GetProperty("tokenizer_class").ValueKind);
    }

    [Fact]
    public async Task UnknownModelIs404AndBadBodiesAre400()
    {
        var (status, json, _) = await RawHttp.PostAsync(Http, "/tokenize", "{\"model\":\"nope\",\"prompt\":\"x\"}");
        Assert.Equal(HttpStatusCode.NotFound, status);
        RawHttp.AssertError(json, "nope");
        var (info, infoJson) = await RawHttp.GetAsync(Http, "/tokenizer_info?model=nope");
        Assert.Equal(HttpStatusCode.NotFound, info);
        RawHttp.AssertError(infoJson, "nope");
        foreach (var (path, body, message) in new[]
        {
            ("/tokenize", "{\"model\":\"chat\",\"prompt\":", "not valid JSON"),
            ("/tokenize", "{\"model\":\"chat\"}", "'prompt'"),
            ("/tokenize", "{\"prompt\":\"x\"}", "'model' is required"), // two usable models here
            ("/detokenize", "{\"model\":\"chat\",\"tokens\":[-1]}", "not a token id"),
            ("/detokenize", "{\"model\":\"chat\",\"tokens\":\"x\"}", "'tokens' must be"),
        })
        {
            var (s, j, _) = await RawHttp.PostAsync(Http, path, body);
            Assert.Equal(HttpStatusCode.BadRequest, s);
            RawHttp.AssertError(j, message);
        }
    }

    [Fact]
    public async Task TheApiKeyGuardsTheTokenizerEndpoints()
    {
        await using var server = await LiveServer.StartAsync(o => o with { ApiKey = "t0k" });
        var (none, body, _) = await RawHttp.PostAsync(server.Http, "/tokenize", "{\"model\":\"chat\",\"prompt\":\"x\"}");
        Assert.Equal(HttpStatusCode.Unauthorized, none);
        RawHttp.AssertError(body, "needs an API key");
        var (info, _) = await RawHttp.GetAsync(server.Http, "/tokenizer_info?model=chat");
        Assert.Equal(HttpStatusCode.Unauthorized, info);
        var (right, _, _) = await RawHttp.PostAsync(server.Http, "/detokenize", "{\"model\":\"chat\",\"tokens\":[1]}", "Bearer t0k");
        Assert.Equal(HttpStatusCode.OK, right);
        var (health, _) = await RawHttp.GetAsync(server.Http, "/health");
        Assert.Equal(HttpStatusCode.OK, health);
    }
}
