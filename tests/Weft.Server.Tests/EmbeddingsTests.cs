// POST /v1/embeddings: llama.cpp's mean-pooled, unit-length embeddings, OpenAI's response shape and errors.
using System.Net;
using System.Text.Json;
using Weft.TestKit;

namespace Weft.Server.Tests;

public class EmbeddingsTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private HttpClient Http => fixture.Server.Http;

    private static float[] Vector(JsonElement item) => [.. item.GetProperty("embedding").EnumerateArray().Select(v => v.GetSingle())];

    [Fact]
    public async Task EmbeddingsAreTheOraclesMeanPooledUnitVectors()
    {
        string path = Path.Combine(fixture.Server.ModelsFolder, "chat.gguf");
        string[] texts = ["Hello world", "The quick brown fox jumps over the lazy dog, twice."];
        var (status, json, _) = await RawHttp.PostAsync(Http, "/v1/embeddings",
            JsonSerializer.Serialize(new { model = "chat", input = texts }));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("list", json.GetProperty("object").GetString());
        Assert.Equal("chat", json.GetProperty("model").GetString());
        var data = json.GetProperty("data").EnumerateArray().ToList();
        Assert.Equal(texts.Length, data.Count);
        for (int i = 0; i < texts.Length; i++)
        {
            Assert.Equal("embedding", data[i].GetProperty("object").GetString());
            Assert.Equal(i, data[i].GetProperty("index").GetInt32());
            var ours = Vector(data[i]);
            var theirs = Oracle.Embed(path, texts[i]);
            Assert.Equal(theirs.Length, ours.Length);
            double nmse = LogitMetrics.Nmse(theirs, ours);
            Assert.True(nmse <= Tolerances.F32Nmse, $"input {i}: NMSE {nmse} against llama.cpp");
            Assert.Equal(1.0, Math.Sqrt(ours.Sum(v => (double)v * v)), 5);
        }
        int tokens = json.GetProperty("usage").GetProperty("prompt_tokens").GetInt32();
        Assert.Equal(tokens, json.GetProperty("usage").GetProperty("total_tokens").GetInt32());
        Assert.True(tokens > 10);
    }

    [Fact]
    public async Task TokenIdsStringsAndBase64AgreeAndDifferentInputsDiffer()
    {
        async Task<JsonElement> Post(object body)
        {
            var (status, json, _) = await RawHttp.PostAsync(Http, "/v1/embeddings", JsonSerializer.Serialize(body));
            Assert.Equal(HttpStatusCode.OK, status);
            return json;
        }
        var one = Vector((await Post(new { model = "chat", input = "Once upon a time" })).GetProperty("data")[0]);
        var ids = TinyModels.RandomPrompt(32000, 6, 3);
        var byIds = await Post(new { model = "chat", input = new[] { ids, ids[..3] } });
        var a = Vector(byIds.GetProperty("data")[0]);
        var b = Vector(byIds.GetProperty("data")[1]);
        Assert.Equal(a, Vector((await Post(new { model = "chat", input = ids })).GetProperty("data")[0]));
        Assert.NotEqual(a, b);
        Assert.NotEqual(a, one);
        Assert.Equal(9, byIds.GetProperty("usage").GetProperty("prompt_tokens").GetInt32());
        var b64 = (await Post(new { model = "chat", input = "Once upon a time", encoding_format = "base64" })).GetProperty("data")[0];
        var decoded = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(Convert.FromBase64String(b64.GetProperty("embedding").GetString()!)).ToArray();
        Assert.Equal(one, decoded);
    }

    [Theory]
    [InlineData("{\"model\":\"chat\"}", "'input' is required")]
    [InlineData("{\"model\":\"chat\",\"input\":[]}", "'input' must be")]
    [InlineData("{\"model\":\"chat\",\"input\":\"\"}", "empty string")]
    [InlineData("{\"model\":\"chat\",\"input\":[1,99999999]}", "not a token id")]
    [InlineData("{\"model\":\"chat\",\"input\":[\"a\",1]}", "'input' must be")]
    [InlineData("{\"model\":\"chat\",\"input\":\"a\",\"encoding_format\":\"int8\"}", "encoding_format")]
    [InlineData("{\"model\":\"chat\",\"input\":\"a\",\"dimensions\":3}", "'dimensions' must be")]
    public async Task BadRequestsGetOpenAiErrors(string body, string message)
    {
        var (status, json, _) = await RawHttp.PostAsync(Http, "/v1/embeddings", body);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        RawHttp.AssertError(json, message);
    }

    [Fact]
    public async Task UnknownModelIs404()
    {
        var (status, json, _) = await RawHttp.PostAsync(Http, "/v1/embeddings", "{\"model\":\"nope\",\"input\":\"a\"}");
        Assert.Equal(HttpStatusCode.NotFound, status);
        RawHttp.AssertError(json, "does not exist");
    }
}
