// Tool calling end to end on a tiny model carrying Qwen2.5's real template: a named call of a function without
// parameters is written whole by the prefill (the model's own output is random), answered in OpenAI's shapes, whole and
// streamed, over raw HTTP, the official OpenAI SDK and Microsoft.Extensions.AI's function-invoking client; the result
// goes back as a role "tool" message. Templates without tools are refused, never ignored.
using System.ClientModel;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;
using OpenAI;
using OpenAI.Chat;
using Weft.Models.Synthetic;
using Weft.Server.DotNetAi;
using Weft.Server.Hosting;
using Weft.TestKit;
using AiChatMessage = Microsoft.Extensions.AI.ChatMessage;
using ChatMessage = OpenAI.Chat.ChatMessage;

namespace Weft.Server.Tests;

public sealed class ToolCallingTests : IAsyncLifetime
{
    private LiveServer _server = null!;

    private static SyntheticModelSpec ToolSpec => LiveServer.ChatSpec with
    {
        Name = "serve-tools",
        ChatTemplate = File.ReadAllText(Path.Combine(Oracle.LlamaSource, "models", "templates", "Qwen-Qwen2.5-7B-Instruct.jinja")),
    };

    public async Task InitializeAsync()
    {
        _server = await LiveServer.StartAsync();
        File.Copy(TinyModels.Write(ToolSpec), Path.Combine(_server.ModelsFolder, "tools.gguf"));
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private const string GetTime = """{"type": "function", "function": {"name": "get_time", "description": "The time now.", "parameters": {"type": "object", "properties": {}}}}""";
    private const string GetWeather = """{"type": "function", "function": {"name": "get_weather", "description": "The weather in a city.", "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}""";
    private const string Named = """{"type": "function", "function": {"name": "get_time"}}""";

    private static string Body(string model, string extra, bool stream = false, string messages = """[{"role": "user", "content": "What time is it?"}]""") =>
        $$"""{"model": "{{model}}", "messages": {{messages}}, "max_tokens": 4, "temperature": 0, "stream": {{(stream ? "true" : "false")}}{{extra}}}""";

    [Fact]
    public async Task NamedCallIsAnsweredAsMessageToolCalls()
    {
        var (status, json, _) = await RawHttp.PostAsync(_server.Http, "/v1/chat/completions", Body("tools", $$""", "tools": [{{GetTime}}, {{GetWeather}}], "tool_choice": {{Named}}"""));
        Assert.Equal(HttpStatusCode.OK, status);
        var choice = json.GetProperty("choices")[0];
        Assert.Equal("tool_calls", choice.GetProperty("finish_reason").GetString());
        var message = choice.GetProperty("message");
        Assert.Equal(JsonValueKind.Null, message.GetProperty("content").ValueKind);
        var call = Assert.Single(message.GetProperty("tool_calls").EnumerateArray());
        Assert.Equal("function", call.GetProperty("type").GetString());
        Assert.Matches("^[A-Za-z0-9]{9}$", call.GetProperty("id").GetString());
        Assert.Equal("get_time", call.GetProperty("function").GetProperty("name").GetString());
        Assert.Equal("{}", call.GetProperty("function").GetProperty("arguments").GetString());
    }

    private const string GetForecast = """{"type": "function", "function": {"name": "get_forecast", "strict": true, "parameters": {"type": "object", "properties": {"city": {"type": "string", "maxLength": 8}, "days": {"type": "integer", "minimum": 1, "maximum": 7}}, "required": ["city", "days"], "additionalProperties": false}}}""";

    private const string NamedForecast = """{"type": "function", "function": {"name": "get_forecast"}}""";

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ANamedCallsArgumentsAreWhatItsSchemaAllows(bool stream)
    {
        string body = Body("tools", $$""", "tools": [{{GetTime}}, {{GetForecast}}], "tool_choice": {{NamedForecast}}, "temperature": 1.0, "seed": 5""", stream)
            .Replace("\"max_tokens\": 4", "\"max_tokens\": 200", StringComparison.Ordinal).Replace("\"temperature\": 0,", "", StringComparison.Ordinal);
        string name, arguments;
        if (stream)
        {
            var events = await Sse.ReadAsync(_server.Http, "/v1/chat/completions", body);
            var chunks = events[..^1].Select(e => JsonDocument.Parse(e).RootElement.GetProperty("choices")[0]).ToList();
            var deltas = chunks.Select(c => c.GetProperty("delta")).Where(d => d.TryGetProperty("tool_calls", out _)).SelectMany(d => d.GetProperty("tool_calls").EnumerateArray()).ToList();
            Assert.Equal("tool_calls", chunks[^1].GetProperty("finish_reason").GetString());
            name = deltas[0].GetProperty("function").GetProperty("name").GetString()!;
            arguments = string.Concat(deltas.Select(d => d.GetProperty("function").GetProperty("arguments").GetString()));
        }
        else
        {
            var (status, json, _) = await RawHttp.PostAsync(_server.Http, "/v1/chat/completions", body);
            Assert.Equal(HttpStatusCode.OK, status);
            var choice = json.GetProperty("choices")[0];
            Assert.Equal("tool_calls", choice.GetProperty("finish_reason").GetString());
            var call = Assert.Single(choice.GetProperty("message").GetProperty("tool_calls").EnumerateArray()).GetProperty("function");
            name = call.GetProperty("name").GetString()!;
            arguments = call.GetProperty("arguments").GetString()!;
        }
        Assert.Equal("get_forecast", name);
        using var args = JsonDocument.Parse(arguments);
        Assert.Equal(["city", "days"], args.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.InRange(args.RootElement.GetProperty("city").GetString()!.Length, 0, 8);
        Assert.InRange(args.RootElement.GetProperty("days").GetInt32(), 1, 7);
    }

    [Fact]
    public async Task ARequiredCallIsOneOfTheGivenFunctions()
    {
        string body = Body("tools", $$""", "tools": [{{GetTime}}, {{GetForecast}}], "tool_choice": "required", "parallel_tool_calls": false, "seed": 8""")
            .Replace("\"max_tokens\": 4", "\"max_tokens\": 200", StringComparison.Ordinal).Replace("\"temperature\": 0,", "\"temperature\": 1.0,", StringComparison.Ordinal);
        var (status, json, _) = await RawHttp.PostAsync(_server.Http, "/v1/chat/completions", body);
        Assert.Equal(HttpStatusCode.OK, status);
        var choice = json.GetProperty("choices")[0];
        Assert.True("tool_calls" == choice.GetProperty("finish_reason").GetString(), json.ToString());
        var call = Assert.Single(choice.GetProperty("message").GetProperty("tool_calls").EnumerateArray()).GetProperty("function");
        Assert.Contains(call.GetProperty("name").GetString(), new[] { "get_time", "get_forecast" });
        using var args = JsonDocument.Parse(call.GetProperty("arguments").GetString()!);
        Assert.Equal(JsonValueKind.Object, args.RootElement.ValueKind);
    }

    [Fact]
    public async Task AStrictFunctionWhoseSchemaCannotBeEnforcedIsA400NamingIt()
    {
        const string odd = """{"type": "function", "function": {"name": "odd", "strict": true, "parameters": {"type": "object", "properties": {"a": {"type": "string"}}, "minProperties": 1}}}""";
        var (status, json, _) = await RawHttp.PostAsync(_server.Http, "/v1/chat/completions", Body("tools", $$""", "tools": [{{GetTime}}, {{odd}}], "tool_choice": "required" """));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        var e = RawHttp.AssertError(json, "minProperties");
        Assert.Equal("tools[1].function.parameters", e.GetProperty("param").GetString());
    }

    [Fact]
    public async Task NamedCallStreamsAsToolCallDeltas()
    {
        var events = await Sse.ReadAsync(_server.Http, "/v1/chat/completions", Body("tools", $$""", "tools": [{{GetTime}}], "tool_choice": {{Named}}""", stream: true));
        Assert.Equal("[DONE]", events[^1]);
        var chunks = events[..^1].Select(e => JsonDocument.Parse(e).RootElement.GetProperty("choices")[0]).ToList();
        var deltas = chunks.Select(c => c.GetProperty("delta")).Where(d => d.TryGetProperty("tool_calls", out _)).SelectMany(d => d.GetProperty("tool_calls").EnumerateArray()).ToList();
        var first = deltas[0];
        Assert.Equal(0, first.GetProperty("index").GetInt32());
        Assert.Equal("function", first.GetProperty("type").GetString());
        Assert.Equal("get_time", first.GetProperty("function").GetProperty("name").GetString());
        Assert.All(deltas.Skip(1), d => Assert.False(d.TryGetProperty("id", out _)));
        Assert.Equal("{}", string.Concat(deltas.Select(d => d.GetProperty("function").GetProperty("arguments").GetString())));
        Assert.Equal("tool_calls", chunks[^1].GetProperty("finish_reason").GetString());
        Assert.DoesNotContain(chunks, c => c.GetProperty("delta").TryGetProperty("content", out var t) && t.GetString()!.Contains("tool_call", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ToolResultGoesBackInTheNextTurn()
    {
        string messages = """
            [{"role": "user", "content": "What time is it?"},
             {"role": "assistant", "content": null, "tool_calls": [{"id": "abcdefghi", "type": "function", "function": {"name": "get_time", "arguments": "{}"}}]},
             {"role": "tool", "tool_call_id": "abcdefghi", "content": "12:00"}]
            """;
        var (status, json, _) = await RawHttp.PostAsync(_server.Http, "/v1/chat/completions", Body("tools", $$""", "tools": [{{GetTime}}]""", messages: messages));
        Assert.Equal(HttpStatusCode.OK, status);
        var (_, without, _) = await RawHttp.PostAsync(_server.Http, "/v1/chat/completions", Body("tools", $$""", "tools": [{{GetTime}}]"""));
        // the call and its result are in the prompt
        Assert.True(json.GetProperty("usage").GetProperty("prompt_tokens").GetInt32() > without.GetProperty("usage").GetProperty("prompt_tokens").GetInt32() + 10);
    }

    [Fact]
    public async Task ToolsOnATemplateWithoutToolsAreRefused()
    {
        var (status, json, _) = await RawHttp.PostAsync(_server.Http, "/v1/chat/completions", Body("chat", $$""", "tools": [{{GetTime}}]"""));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        RawHttp.AssertError(json, "the chat template of chat does not support tools");
        // tool_choice none: tools are not rendered, so any template will do
        var (ok, _, _) = await RawHttp.PostAsync(_server.Http, "/v1/chat/completions", Body("chat", $$""", "tools": [{{GetTime}}], "tool_choice": "none" """));
        Assert.Equal(HttpStatusCode.OK, ok);
    }

    [Theory]
    [InlineData(""", "tool_choice": "required" """, "needs 'tools'")]
    [InlineData(""", "tools": [{"type": "function", "function": {"name": "get_time"}}], "tool_choice": {"type": "function", "function": {"name": "nope"}}""", "not among 'tools'")]
    [InlineData(""", "tools": [{"type": "code_interpreter"}]""", "tools[0].type")]
    [InlineData(""", "tools": [{"type": "function", "function": {"description": "x"}}]""", "tools[0].function.name")]
    [InlineData(""", "tools": [{"type": "function", "function": {"name": "a"}}], "tool_choice": "sometimes" """, "tool_choice")]
    public async Task BadToolFieldsAre400s(string extra, string message)
    {
        var (status, json, _) = await RawHttp.PostAsync(_server.Http, "/v1/chat/completions", Body("tools", extra));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        RawHttp.AssertError(json, message);
    }

    [Fact]
    public async Task AutoChoiceRendersTheToolsAndAnswers()
    {
        var (status, json, _) = await RawHttp.PostAsync(_server.Http, "/v1/chat/completions", Body("tools", $$""", "tools": [{{GetTime}}, {{GetWeather}}]"""));
        Assert.Equal(HttpStatusCode.OK, status);
        var (_, plain, _) = await RawHttp.PostAsync(_server.Http, "/v1/chat/completions", Body("tools", ""));
        // the template's tool block is in the prompt
        Assert.True(json.GetProperty("usage").GetProperty("prompt_tokens").GetInt32() > plain.GetProperty("usage").GetProperty("prompt_tokens").GetInt32() + 50);
    }

    [Fact]
    public async Task OllamaChatAnswersCallsWithObjectArgumentsWholeAndStreamed()
    {
        // tool_choice is Weft's addition to Ollama's request, to force the call here
        string body = $$"""{"model": "tools", "messages": [{"role": "user", "content": "What time is it?"}], "stream": false, "options": {"num_predict": 4, "temperature": 0}, "tools": [{{GetTime}}], "tool_choice": {{Named}}}""";
        var (status, json, _) = await RawHttp.PostAsync(_server.Http, "/api/chat", body);
        Assert.Equal(HttpStatusCode.OK, status);
        var call = Assert.Single(json.GetProperty("message").GetProperty("tool_calls").EnumerateArray());
        Assert.Equal("get_time", call.GetProperty("function").GetProperty("name").GetString());
        Assert.Equal(JsonValueKind.Object, call.GetProperty("function").GetProperty("arguments").ValueKind);

        using var req = new HttpRequestMessage(HttpMethod.Post, "/api/chat") { Content = new StringContent(body.Replace("\"stream\": false", "\"stream\": true", StringComparison.Ordinal), Encoding.UTF8, "application/json") };
        using var res = await _server.Http.SendAsync(req);
        var lines = (await res.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        var streamed = lines.Where(l => l.GetProperty("message").TryGetProperty("tool_calls", out _)).SelectMany(l => l.GetProperty("message").GetProperty("tool_calls").EnumerateArray()).ToList();
        Assert.Equal("get_time", Assert.Single(streamed).GetProperty("function").GetProperty("name").GetString());
        Assert.True(lines[^1].GetProperty("done").GetBoolean());

        // the call (arguments as an object) and its result (tool_name) in the next turn
        string next = """
            {"model": "tools", "stream": false, "options": {"num_predict": 2},
             "messages": [{"role": "user", "content": "What time is it?"},
                          {"role": "assistant", "content": "", "tool_calls": [{"function": {"name": "get_time", "arguments": {}}}]},
                          {"role": "tool", "tool_name": "get_time", "content": "12:00"}]}
            """;
        var (nextStatus, nextJson, _) = await RawHttp.PostAsync(_server.Http, "/api/chat", next);
        Assert.Equal(HttpStatusCode.OK, nextStatus);
        var (_, alone, _) = await RawHttp.PostAsync(_server.Http, "/api/chat",
            """{"model": "tools", "stream": false, "options": {"num_predict": 2}, "messages": [{"role": "user", "content": "What time is it?"}]}""");
        Assert.True(nextJson.GetProperty("prompt_eval_count").GetInt32() > alone.GetProperty("prompt_eval_count").GetInt32() + 10);
    }

    private OpenAIClient Sdk => new(new ApiKeyCredential("unused"), new OpenAIClientOptions { Endpoint = new Uri(_server.BaseAddress, "/v1") });

    [Fact]
    public async Task OpenAiSdkReadsTheCallAndSendsTheResultBack()
    {
        var chat = Sdk.GetChatClient("tools");
        var tool = ChatTool.CreateFunctionTool("get_time", "The time now.", BinaryData.FromString("""{"type": "object", "properties": {}}"""));
        var options = new ChatCompletionOptions { Temperature = 0, MaxOutputTokenCount = 4, Tools = { tool }, ToolChoice = ChatToolChoice.CreateFunctionChoice("get_time") };
        List<ChatMessage> messages = [new UserChatMessage("What time is it?")];
        ChatCompletion answer = await chat.CompleteChatAsync(messages, options);
        Assert.Equal(OpenAI.Chat.ChatFinishReason.ToolCalls, answer.FinishReason);
        var call = Assert.Single(answer.ToolCalls);
        Assert.Equal("get_time", call.FunctionName);
        Assert.Equal("{}", call.FunctionArguments.ToString());

        // streamed: the updates put together give the same call
        var name = new StringBuilder();
        var args = new StringBuilder();
        string? id = null;
        OpenAI.Chat.ChatFinishReason? finish = null;
        await foreach (var update in chat.CompleteChatStreamingAsync(messages, options))
        {
            foreach (var part in update.ToolCallUpdates)
            {
                id ??= part.ToolCallId;
                name.Append(part.FunctionName);
                args.Append(part.FunctionArgumentsUpdate?.ToString());
            }
            finish ??= update.FinishReason;
        }
        Assert.Equal(("get_time", "{}"), (name.ToString(), args.ToString()));
        Assert.NotNull(id);
        Assert.Equal(OpenAI.Chat.ChatFinishReason.ToolCalls, finish);

        messages.Add(new AssistantChatMessage(answer));
        messages.Add(new ToolChatMessage(call.Id, "12:00"));
        ChatCompletion next = await chat.CompleteChatAsync(messages, new ChatCompletionOptions { Temperature = 0, MaxOutputTokenCount = 4, Tools = { tool } });
        Assert.True(next.Usage.InputTokenCount > answer.Usage.InputTokenCount);
    }

    [Fact]
    public async Task FunctionInvokingChatClientCallsTheFunctionAndAnswers()
    {
        var options = new ServerOptions { ModelsDirectory = _server.ModelsFolder, Threads = 2 };
        using var pool = new ModelPool(new ModelCatalog(options.ModelsDirectory), options);
        int called = 0;
        var getTime = AIFunctionFactory.Create(() => { called++; return "12:00"; }, "get_time", "The time now.");
        using var client = new ChatClientBuilder(new WeftChatClient(pool, "tools")).UseFunctionInvocation().Build();
        var chatOptions = new ChatOptions { Temperature = 0, MaxOutputTokens = 4, Tools = [getTime], ToolMode = ChatToolMode.RequireSpecific("get_time") };
        var response = await client.GetResponseAsync([new AiChatMessage(ChatRole.User, "What time is it?")], chatOptions);
        Assert.Equal(1, called);
        var call = Assert.Single(response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>());
        Assert.Equal("get_time", call.Name);
        var result = Assert.Single(response.Messages.SelectMany(m => m.Contents).OfType<FunctionResultContent>());
        Assert.Equal(call.CallId, result.CallId);
        Assert.Equal(ChatRole.Assistant, response.Messages[^1].Role); // the model's answer after the result

        // streamed, the same round trip
        called = 0;
        var updates = new List<ChatResponseUpdate>();
        await foreach (var u in client.GetStreamingResponseAsync([new AiChatMessage(ChatRole.User, "What time is it?")], chatOptions)) updates.Add(u);
        Assert.Equal(1, called);
        Assert.Single(updates.SelectMany(u => u.Contents).OfType<FunctionCallContent>());
    }

    [Fact]
    public async Task WeftChatClientRefusesToolsOnATemplateWithoutThem()
    {
        var options = new ServerOptions { ModelsDirectory = _server.ModelsFolder, Threads = 2 };
        using var pool = new ModelPool(new ModelCatalog(options.ModelsDirectory), options);
        IChatClient client = new WeftChatClient(pool, "chat");
        var e = await Assert.ThrowsAsync<NotSupportedException>(() => client.GetResponseAsync("hi", new ChatOptions { Tools = [AIFunctionFactory.Create(() => 1, "one")] }));
        Assert.Contains("does not support tools", e.Message, StringComparison.Ordinal);
    }
}
