// POST /v1/responses through the official OpenAI SDK (whole and streamed) and raw HTTP: the text is the chat
// completion's for the same conversation, events arrive in OpenAI's order, and fields that cannot be honoured are 400s.
#pragma warning disable OPENAI001 // the SDK marks the Responses client experimental
using System.Net;
using System.Text;
using OpenAI;
using OpenAI.Responses;

namespace Weft.Server.Tests;

public class ResponsesApiTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private HttpClient Http => fixture.Server.Http;

    private ResponsesClient Client => new OpenAIClient(new System.ClientModel.ApiKeyCredential("unused"),
        new OpenAIClientOptions { Endpoint = new Uri(fixture.Server.BaseAddress, "/v1") }).GetResponsesClient();

    private static CreateResponseOptions Options(bool stream = false) => new("chat", [ResponseItem.CreateUserMessageItem("Name three rivers of Europe.")])
    {
        Instructions = "Answer briefly.",
        MaxOutputTokenCount = 9,
        Temperature = 0,
        StreamingEnabled = stream ? true : null,
    };

    /// <summary>The chat completion of the same conversation at temperature 0: the text the response must carry.</summary>
    private async Task<(string Text, string Finish, int Prompt, int Completion)> ChatAnswer()
    {
        var (status, json, _) = await RawHttp.PostAsync(Http, "/v1/chat/completions",
            "{\"model\":\"chat\",\"messages\":[{\"role\":\"system\",\"content\":\"Answer briefly.\"},{\"role\":\"user\",\"content\":\"Name three rivers of Europe.\"}],\"max_tokens\":9,\"temperature\":0}");
        Assert.Equal(HttpStatusCode.OK, status);
        var choice = json.GetProperty("choices")[0];
        var usage = json.GetProperty("usage");
        return (choice.GetProperty("message").GetProperty("content").GetString()!, choice.GetProperty("finish_reason").GetString()!,
            usage.GetProperty("prompt_tokens").GetInt32(), usage.GetProperty("completion_tokens").GetInt32());
    }

    [Fact]
    public async Task AResponseCarriesTheChatCompletionsTextAndUsage()
    {
        var expected = await ChatAnswer();
        ResponseResult r = await Client.CreateResponseAsync(Options());
        Assert.StartsWith("resp_", r.Id);
        Assert.Equal(expected.Text, r.GetOutputText());
        Assert.Equal(expected.Finish == "length" ? ResponseStatus.Incomplete : ResponseStatus.Completed, r.Status);
        Assert.Equal(expected.Prompt, r.Usage.InputTokenCount);
        Assert.Equal(expected.Completion, r.Usage.OutputTokenCount);
        Assert.Equal(expected.Prompt + expected.Completion, r.Usage.TotalTokenCount);
        Assert.Equal("chat", r.Model);
    }

    [Fact]
    public async Task AStreamedResponseSendsItsEventsInOrderAndTheSameText()
    {
        var expected = await ChatAnswer();
        var text = new StringBuilder();
        var kinds = new List<string>();
        int last = -1;
        ResponseResult? final = null;
        await foreach (var update in Client.CreateResponseStreamingAsync(Options(stream: true)))
        {
            Assert.True(update.SequenceNumber > last, $"sequence number {update.SequenceNumber} after {last}");
            last = update.SequenceNumber;
            kinds.Add(update.GetType().Name);
            if (update is StreamingResponseOutputTextDeltaUpdate d) text.Append(d.Delta);
            if (update is StreamingResponseCompletedUpdate c) final = c.Response;
            if (update is StreamingResponseIncompleteUpdate i) final = i.Response;
        }
        Assert.Equal(expected.Text, text.ToString());
        Assert.NotNull(final);
        Assert.Equal(expected.Text, final!.GetOutputText());
        Assert.Equal("StreamingResponseCreatedUpdate", kinds[0]);
        Assert.Equal("StreamingResponseInProgressUpdate", kinds[1]);
        Assert.Equal(expected.Finish == "length" ? "StreamingResponseIncompleteUpdate" : "StreamingResponseCompletedUpdate", kinds[^1]);
        Assert.Contains("StreamingResponseOutputTextDoneUpdate", kinds);
    }

    [Fact]
    public async Task RawStreamNamesEachEventAndEndsWithoutDone()
    {
        using var req = new HttpRequestMessage(HttpMethod.Post, "/v1/responses")
        {
            Content = new StringContent("{\"model\":\"chat\",\"input\":\"hi\",\"max_output_tokens\":3,\"temperature\":0,\"stream\":true}", Encoding.UTF8, "application/json"),
        };
        using var res = await Http.SendAsync(req);
        Assert.Equal(HttpStatusCode.OK, res.StatusCode);
        string body = await res.Content.ReadAsStringAsync();
        var events = body.Split("\n\n", StringSplitOptions.RemoveEmptyEntries);
        foreach (var e in events)
        {
            var lines = e.Split('\n');
            Assert.StartsWith("event: ", lines[0]);
            string name = lines[0]["event: ".Length..];
            Assert.StartsWith("data: ", lines[1]);
            using var doc = System.Text.Json.JsonDocument.Parse(lines[1]["data: ".Length..]);
            Assert.Equal(name, doc.RootElement.GetProperty("type").GetString());
        }
        Assert.DoesNotContain("[DONE]", body);
        Assert.StartsWith("event: response.incomplete", events[^1]); // 3 tokens end it by length
    }

    [Theory]
    [InlineData("\"previous_response_id\":\"resp_1\",\"input\":\"hi\"", "previous_response_id")]
    [InlineData("\"tools\":[{\"type\":\"function\",\"name\":\"f\"}],\"input\":\"hi\"", "tools")]
    [InlineData("\"input\":\"hi\",\"text\":{\"format\":{\"type\":\"xml\"}}", "text.format.type")]
    [InlineData("\"input\":\"hi\",\"text\":{\"format\":{\"type\":\"json_schema\",\"name\":\"x\",\"schema\":{\"type\":\"string\",\"contentEncoding\":\"base64\"}}}", "text.format.schema")]
    [InlineData("\"instructions\":\"x\"", "input")]
    [InlineData("\"input\":[{\"role\":\"user\",\"content\":[{\"type\":\"input_image\",\"image_url\":\"x\"}]}]", "input[0].content[0].type")]
    [InlineData("\"input\":[{\"type\":\"function_call_output\",\"call_id\":\"c\",\"output\":\"x\"}]", "input[0].type")]
    [InlineData("\"input\":[{\"role\":\"wizard\",\"content\":\"x\"}]", "input[0].role")]
    [InlineData("\"input\":7", "input")]
    [InlineData("\"input\":\"hi\",\"max_output_tokens\":0", "max_output_tokens")]
    public async Task FieldsThatCannotBeHonouredAreRefusedNamingThem(string fields, string param)
    {
        var (status, json, _) = await RawHttp.PostAsync(Http, "/v1/responses", "{\"model\":\"chat\"," + fields + "}");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(param, RawHttp.AssertError(json, "").GetProperty("param").GetString());
    }

    [Fact]
    public async Task AJsonSchemaFormatMakesTheAnswerValidJson()
    {
        const string schema = "{\"type\":\"object\",\"properties\":{\"answer\":{\"enum\":[\"yes\",\"no\"]}},\"required\":[\"answer\"],\"additionalProperties\":false}";
        var (status, json, _) = await RawHttp.PostAsync(Http, "/v1/responses",
            "{\"model\":\"chat\",\"input\":\"Yes or no?\",\"max_output_tokens\":60,\"temperature\":1,\"text\":{\"format\":{\"type\":\"json_schema\",\"name\":\"reply\",\"strict\":true,\"schema\":" + schema + "}}}");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("completed", json.GetProperty("status").GetString());
        Assert.Equal("json_schema", json.GetProperty("text").GetProperty("format").GetProperty("type").GetString());
        string text = json.GetProperty("output")[0].GetProperty("content")[0].GetProperty("text").GetString()!;
        using var answer = System.Text.Json.JsonDocument.Parse(text);
        Assert.Contains(answer.RootElement.GetProperty("answer").GetString(), new[] { "yes", "no" });
        Assert.Single(answer.RootElement.EnumerateObject());
    }

    [Fact]
    public async Task StoredResponsesAreNotFound()
    {
        var (status, json) = await RawHttp.GetAsync(Http, "/v1/responses/resp_123");
        Assert.Equal(HttpStatusCode.NotFound, status);
        RawHttp.AssertError(json, "does not store responses");
    }
}
