// Structured output on a live server: OpenAI's strict json_schema through the official SDK, llama-server's
// "grammar" and "json_schema" fields, Ollama's "format", and 400s that name the field and what is wrong.
using System.ClientModel;
using System.Net;
using System.Text.Json;
using OpenAI;
using OpenAI.Chat;

namespace Weft.Server.Tests;

public class StructuredOutputTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    // every string is bounded, so that a random model at temperature 1 finishes the object well within max_tokens
    private const string PersonSchema = """
        {"type":"object","properties":{"mood":{"enum":["happy","sad"]},"age":{"type":"integer","minimum":0,"maximum":120},
         "tag":{"type":"string","maxLength":4},"ok":{"type":"boolean"}},"required":["mood","age","tag","ok"],"additionalProperties":false}
        """;

    private HttpClient Http => fixture.Server.Http;

    private static void CheckPerson(string text)
    {
        using var doc = JsonDocument.Parse(text);
        var o = doc.RootElement;
        Assert.Equal(["mood", "age", "tag", "ok"], o.EnumerateObject().Select(p => p.Name));
        Assert.Contains(o.GetProperty("mood").GetString(), new[] { "happy", "sad" });
        Assert.InRange(o.GetProperty("age").GetInt32(), 0, 120);
        Assert.True(new System.Globalization.StringInfo(o.GetProperty("tag").GetString()!).LengthInTextElements <= 4);
        Assert.True(o.GetProperty("ok").ValueKind is JsonValueKind.True or JsonValueKind.False);
    }

    [Fact]
    public async Task StrictJsonSchemaThroughTheOpenAiSdkGivesAValidatingReply()
    {
        var client = new OpenAIClient(new ApiKeyCredential("unused"), new OpenAIClientOptions { Endpoint = new Uri(fixture.Server.BaseAddress, "/v1") });
        var chat = client.GetChatClient("chat");
        for (int seed = 1; seed <= 3; seed++)
        {
            var options = new ChatCompletionOptions
            {
                Temperature = 1, MaxOutputTokenCount = 200,
#pragma warning disable OPENAI001 // Seed is marked experimental in the SDK
                Seed = seed,
#pragma warning restore OPENAI001
                ResponseFormat = ChatResponseFormat.CreateJsonSchemaFormat("person", BinaryData.FromString(PersonSchema), jsonSchemaIsStrict: true),
            };
            ChatCompletion answer = await chat.CompleteChatAsync([new UserChatMessage("Describe a person as JSON.")], options);
            Assert.Equal(ChatFinishReason.Stop, answer.FinishReason);
            CheckPerson(answer.Content[0].Text);
        }
    }

    [Fact]
    public async Task GrammarAndJsonSchemaFieldsOfLlamaServerWork()
    {
        var (status, json, _) = await RawHttp.PostAsync(Http, "/v1/completions",
            """{"model":"chat","prompt":"Is it?","max_tokens":20,"temperature":1,"grammar":"root ::= \"yes\" | \"no\""}""");
        Assert.True(status == HttpStatusCode.OK, json.ToString());
        Assert.Contains(json.GetProperty("choices")[0].GetProperty("text").GetString(), new[] { "yes", "no" });
        Assert.Equal("stop", json.GetProperty("choices")[0].GetProperty("finish_reason").GetString());

        (status, json, _) = await RawHttp.PostAsync(Http, "/v1/chat/completions",
            $$"""{"model":"chat","messages":[{"role":"user","content":"hi"}],"max_tokens":200,"json_schema":{{PersonSchema}}}""");
        Assert.True(status == HttpStatusCode.OK, json.ToString());
        CheckPerson(json.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString()!);
    }

    [Fact]
    public async Task OllamaFormatTakesJsonAndSchemas()
    {
        var (status, json, _) = await RawHttp.PostAsync(Http, "/api/generate",
            $$"""{"model":"chat","prompt":"hi","stream":false,"options":{"num_predict":200},"format":{{PersonSchema}}}""");
        Assert.True(status == HttpStatusCode.OK, json.ToString());
        CheckPerson(json.GetProperty("response").GetString()!);

        (status, json, _) = await RawHttp.PostAsync(Http, "/api/chat",
            """{"model":"chat","messages":[{"role":"user","content":"hi"}],"stream":false,"options":{"num_predict":8},"format":"json"}""");
        Assert.True(status == HttpStatusCode.OK, json.ToString());
        Assert.StartsWith("{", json.GetProperty("message").GetProperty("content").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"model":"chat","prompt":"x","grammar":"root ::= foo"}""", "grammar", "rule 'foo' is used but never defined")]
    [InlineData("""{"model":"chat","prompt":"x","response_format":{"type":"json_schema","json_schema":{"name":"n","schema":{"type":"string","format":"hostname"}}}}""", "response_format", "'format'")]
    [InlineData("""{"model":"chat","prompt":"x","response_format":{"type":"json_schema","json_schema":{"name":"n","schema":{"type":"object","minProperties":2}}}}""", "response_format", "'minProperties'")]
    [InlineData("""{"model":"chat","prompt":"x","response_format":{"type":"xml"}}""", "response_format", "response_format.type")]
    [InlineData("""{"model":"chat","prompt":"x","response_format":{"type":"json_object"},"grammar":"root ::= \"a\""}""", "grammar", "one output constraint")]
    public async Task BadConstraintsAre400sNamingTheField(string body, string param, string message)
    {
        var (status, json, _) = await RawHttp.PostAsync(Http, "/v1/completions", body);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        var error = json.GetProperty("error");
        Assert.Equal(param, error.GetProperty("param").GetString());
        Assert.Contains(message, error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }
}
