// Microsoft.Extensions.AI's IChatClient over a model of a ModelPool, in process: the same template, batch scheduler
// and sampling as the HTTP server. Thread-safe: every call is a request of its own on the model's scheduler.
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using System.Text.Json;
using Microsoft.Extensions.AI;
using Weft.Inference.Templates;
using Weft.Inference.Tools;
using Weft.Server.Api;
using Weft.Inference.Generation;
using Weft.Inference.Sampling;
using Weft.Server.Hosting;
using ChatMessage = Microsoft.Extensions.AI.ChatMessage;
using TemplateMessage = Weft.Inference.Templates.ChatMessage;

namespace Weft.Server.DotNetAi;

public sealed class WeftChatClient(ModelPool pool, string modelId) : IChatClient
{
    /// <summary>The model used when a call's <see cref="ChatOptions.ModelId"/> does not name another.</summary>
    public string ModelId { get; } = modelId;

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var (model, request, id, tools) = await PrepareAsync(messages, options);
        var result = await Submit(model, request, null, cancellationToken);
        var message = new ChatMessage(ChatRole.Assistant, result.Text);
        var finish = Finish(result.Finish);
        if (tools != null && tools.Read(result.Text) is { Calls.Count: > 0 } answer)
        {
            message = new ChatMessage(ChatRole.Assistant, [.. Text(answer.Content), .. answer.Calls.Select(Call)]);
            finish = ChatFinishReason.ToolCalls;
        }
        return new ChatResponse(message)
        {
            ResponseId = id,
            ModelId = model.Entry.Id,
            CreatedAt = DateTimeOffset.UtcNow,
            FinishReason = finish,
            Usage = Usage(result),
        };
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var (model, request, id, tools) = await PrepareAsync(messages, options);
        var pieces = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        var done = Submit(model, request, (_, text) => { if (text.Length > 0) pieces.Writer.TryWrite(text); }, cancellationToken);
        _ = done.ContinueWith(_ => pieces.Writer.TryComplete(), TaskScheduler.Default);
        var stream = tools?.Stream();
        // calls go out whole, once their arguments are complete: FunctionCallContent has no partial form
        var streamed = new StreamedCalls();
        if (stream != null && tools!.Prefill.Length > 0) streamed.Add(stream.Push(tools.Prefill));
        await foreach (string text in pieces.Reader.ReadAllAsync(CancellationToken.None))
        {
            string shown = text;
            if (stream != null)
            {
                var step = stream.Push(text);
                streamed.Add(step);
                shown = step.Content;
            }
            if (shown.Length > 0) yield return new ChatResponseUpdate(ChatRole.Assistant, shown) { ResponseId = id, MessageId = id, ModelId = model.Entry.Id };
        }
        var result = await done;
        List<AIContent> last = [new UsageContent(Usage(result))];
        var finish = Finish(result.Finish);
        if (stream != null)
        {
            var end = stream.Complete();
            streamed.Add(end);
            if (end.Content.Length > 0) last.Insert(0, new TextContent(end.Content));
            if (streamed.Calls.Count > 0)
            {
                last.InsertRange(0, streamed.Calls.Select(Call));
                finish = ChatFinishReason.ToolCalls;
            }
        }
        yield return new ChatResponseUpdate(ChatRole.Assistant, last)
        {
            ResponseId = id, MessageId = id, ModelId = model.Entry.Id, FinishReason = finish,
        };
    }

    private async Task<(LoadedModel Model, GenerationRequest Request, string Id, ToolPlan? Tools)> PrepareAsync(IEnumerable<ChatMessage> messages, ChatOptions? options)
    {
        var model = await pool.GetAsync(options?.ModelId ?? ModelId);
        var conversation = Conversation(messages);
        ToolPlan? tools;
        int[] prompt;
        try
        {
            tools = ToolPlan.For(model, Tools(options));
            prompt = ChatPrompt.Tokens(model, conversation, tools);
        }
        catch (ApiException e)
        {
            // tools the template cannot take; else the template refused the conversation
            throw e.Code == "tools_not_supported" ? new NotSupportedException(e.Message, e) : new ArgumentException(e.Message, nameof(messages), e);
        }
        if (prompt.Length > model.ContextSize)
            throw new Weft.Models.ContextOverflowException($"the prompt has {prompt.Length} tokens but the context of '{model.Entry.Id}' holds {model.ContextSize}");
        var sampling = new SamplingOptions
        {
            // OpenAI's defaults, as the HTTP server uses them: temperature 1, top-p 1, no other filter
            Temperature = options?.Temperature ?? 1f,
            TopP = options?.TopP ?? 1f,
            TopK = options?.TopK ?? 0,
            MinP = 0f,
            FrequencyPenalty = options?.FrequencyPenalty ?? 0f,
            PresencePenalty = options?.PresencePenalty ?? 0f,
            RepeatLastN = -1,
            Seed = options?.Seed is { } seed ? unchecked((ulong)seed) : null,
        };
        sampling.Validate();
        var request = new GenerationRequest
        {
            Prompt = prompt,
            MaxTokens = options?.MaxOutputTokens ?? Math.Max(1, model.ContextSize - prompt.Length),
            Sampling = sampling,
            StopStrings = options?.StopSequences?.ToArray() ?? [],
            // a forced call is all the answer holds; else the response format, if any
            Grammar = tools?.Grammar ?? Format(options?.ResponseFormat),
        };
        return (model, request, "chatcmpl-" + Guid.NewGuid().ToString("N"), tools);
    }

    /// <summary>ChatOptions.ResponseFormat as a grammar: JSON with a schema (its instances), JSON (any object), text (none).
    /// A schema keyword the grammar cannot enforce is a NotSupportedException naming it, never silently dropped.</summary>
    private static Weft.Inference.Grammar.Grammar? Format(ChatResponseFormat? format)
    {
        if (format is not ChatResponseFormatJson json) return null;
        if (json.Schema is not { } schema) return Weft.Inference.Grammar.Grammar.JsonObject;
        try
        {
            return Weft.Inference.Grammar.Grammar.FromJsonSchema(schema.GetRawText());
        }
        catch (Weft.Inference.Grammar.GrammarException e)
        {
            throw new NotSupportedException($"the response format's schema{(json.SchemaName is { } n ? $" '{n}'" : "")} cannot be enforced: {e.Message}", e);
        }
    }

    /// <summary>Messages as templates see them: FunctionCallContent as an assistant's tool_calls (arguments as JSON text,
    /// as OpenAI sends them), each FunctionResultContent as a message of role "tool".</summary>
    private static List<TemplateMessage> Conversation(IEnumerable<ChatMessage> messages)
    {
        var list = new List<TemplateMessage>();
        foreach (var m in messages)
        {
            var calls = m.Contents.OfType<FunctionCallContent>().ToList();
            var results = m.Contents.OfType<FunctionResultContent>().ToList();
            if (calls.Count == 0 && results.Count == 0)
            {
                list.Add(TemplateMessage.Text(m.Role.Value, m.Text));
                continue;
            }
            if (calls.Count > 0)
            {
                var fields = new DictValue();
                fields.Set("role", Value.Of(m.Role.Value));
                fields.Set("content", m.Text.Length > 0 ? Value.Of(m.Text) : Value.None);
                fields.Set("tool_calls", new ListValue(calls.Select(c =>
                {
                    var function = new DictValue();
                    function.Set("name", Value.Of(c.Name));
                    function.Set("arguments", Value.Of(JsonSerializer.Serialize(c.Arguments ?? new Dictionary<string, object?>(), AIJsonUtilities.DefaultOptions)));
                    var call = new DictValue();
                    call.Set("id", Value.Of(c.CallId));
                    call.Set("type", Value.Of("function"));
                    call.Set("function", function);
                    return (Value)call;
                }).ToList()));
                list.Add(TemplateMessage.FromFields(fields));
            }
            foreach (var r in results)
            {
                var fields = new DictValue();
                fields.Set("role", Value.Of("tool"));
                fields.Set("tool_call_id", Value.Of(r.CallId));
                fields.Set("content", Value.Of(r.Result switch
                {
                    null => "",
                    string text => text,
                    JsonElement e when e.ValueKind == JsonValueKind.String => e.GetString()!,
                    var other => JsonSerializer.Serialize(other, AIJsonUtilities.DefaultOptions),
                }));
                list.Add(TemplateMessage.FromFields(fields));
            }
        }
        return list;
    }

    /// <summary>ChatOptions.Tools (functions only) and ToolMode as a request's tools.</summary>
    private static ToolRequest? Tools(ChatOptions? options)
    {
        var functions = options?.Tools?.OfType<AIFunction>().ToList() ?? [];
        if (functions.Count == 0) return null;
        var json = new System.Text.Json.Nodes.JsonArray();
        foreach (var f in functions)
            json.Add(new System.Text.Json.Nodes.JsonObject
            {
                ["type"] = "function",
                ["function"] = new System.Text.Json.Nodes.JsonObject
                {
                    ["name"] = f.Name,
                    ["description"] = f.Description,
                    ["parameters"] = System.Text.Json.Nodes.JsonNode.Parse(f.JsonSchema.GetRawText()),
                },
            });
        using var doc = JsonDocument.Parse(json.ToJsonString());
        var choice = options!.ToolMode switch
        {
            NoneChatToolMode => new ToolChoice(ToolChoiceKind.None),
            RequiredChatToolMode { RequiredFunctionName: { } name } => new ToolChoice(ToolChoiceKind.Named, name),
            RequiredChatToolMode => new ToolChoice(ToolChoiceKind.Required),
            _ => ToolChoice.Auto,
        };
        return new ToolRequest(functions.Select(f => new ToolFunction(f.Name, f.JsonSchema.Clone())).ToList(), JsonValues.FromJson(doc.RootElement),
            choice, options.AllowMultipleToolCalls ?? true);
    }

    private static IEnumerable<AIContent> Text(string content) => content.Length > 0 ? [new TextContent(content)] : [];

    private static FunctionCallContent Call(ToolCall call)
    {
        IDictionary<string, object?>? arguments;
        try
        {
            arguments = JsonSerializer.Deserialize<Dictionary<string, object?>>(call.Arguments, AIJsonUtilities.DefaultOptions);
        }
        catch (JsonException)
        {
            arguments = null; // not an object: the function gets none
        }
        return new FunctionCallContent(call.Id, call.Name, arguments);
    }

    /// <summary>Calls put together from streamed deltas.</summary>
    private sealed class StreamedCalls
    {
        private readonly List<(string Id, string Name, System.Text.StringBuilder Arguments)> _calls = [];

        public List<ToolCall> Calls => _calls.Select(c => new ToolCall(c.Id, c.Name, c.Arguments.ToString())).ToList();

        public void Add(ToolStreamStep step)
        {
            foreach (var d in step.Calls)
            {
                if (d.Id != null) _calls.Add((d.Id, d.Name!, new System.Text.StringBuilder()));
                _calls[d.Index].Arguments.Append(d.Arguments);
            }
        }
    }

    private static Task<GenerationResult> Submit(LoadedModel model, GenerationRequest request, TokenSink? sink, CancellationToken cancel)
    {
        if (!model.TrySubmit(request, sink, cancel, out var done))
            throw new InvalidOperationException($"the queue of '{model.Entry.Id}' is full; retry shortly");
        return done;
    }

    private static ChatFinishReason Finish(FinishReason f) => f switch
    {
        FinishReason.EndOfGeneration or FinishReason.StopString => ChatFinishReason.Stop,
        _ => ChatFinishReason.Length,
    };

    private static UsageDetails Usage(GenerationResult r) => new()
    {
        InputTokenCount = r.PromptTokens, OutputTokenCount = r.Tokens.Count, TotalTokenCount = r.PromptTokens + r.Tokens.Count,
    };

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey != null ? null
        : serviceType == typeof(ChatClientMetadata) ? new ChatClientMetadata("weft", null, ModelId)
        : serviceType.IsInstanceOfType(this) ? this
        : null;

    /// <summary>The pool belongs to the caller.</summary>
    public void Dispose()
    {
    }
}
