// Microsoft.Extensions.AI's IChatClient over a model of a ModelPool, in process: the same template, batch scheduler
// and sampling as the HTTP server. Thread-safe: every call is a request of its own on the model's scheduler.
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Microsoft.Extensions.AI;
using Weft.Inference.Generation;
using Weft.Inference.Sampling;
using Weft.Server.Hosting;
using TemplateMessage = Weft.Inference.Templates.ChatMessage;

namespace Weft.Server.DotNetAi;

public sealed class WeftChatClient(ModelPool pool, string modelId) : IChatClient
{
    /// <summary>The model used when a call's <see cref="ChatOptions.ModelId"/> does not name another.</summary>
    public string ModelId { get; } = modelId;

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var (model, request, id) = await PrepareAsync(messages, options);
        var result = await Submit(model, request, null, cancellationToken);
        return new ChatResponse(new ChatMessage(ChatRole.Assistant, result.Text))
        {
            ResponseId = id,
            ModelId = model.Entry.Id,
            CreatedAt = DateTimeOffset.UtcNow,
            FinishReason = Finish(result.Finish),
            Usage = Usage(result),
        };
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var (model, request, id) = await PrepareAsync(messages, options);
        var pieces = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        var done = Submit(model, request, (_, text) => { if (text.Length > 0) pieces.Writer.TryWrite(text); }, cancellationToken);
        _ = done.ContinueWith(_ => pieces.Writer.TryComplete(), TaskScheduler.Default);
        await foreach (string text in pieces.Reader.ReadAllAsync(CancellationToken.None))
            yield return new ChatResponseUpdate(ChatRole.Assistant, text) { ResponseId = id, MessageId = id, ModelId = model.Entry.Id };
        var result = await done;
        yield return new ChatResponseUpdate(ChatRole.Assistant, [new UsageContent(Usage(result))])
        {
            ResponseId = id, MessageId = id, ModelId = model.Entry.Id, FinishReason = Finish(result.Finish),
        };
    }

    private async Task<(LoadedModel Model, GenerationRequest Request, string Id)> PrepareAsync(IEnumerable<ChatMessage> messages, ChatOptions? options)
    {
        var model = await pool.GetAsync(options?.ModelId ?? ModelId);
        var conversation = messages.Select(m => TemplateMessage.Text(m.Role.Value, m.Text)).ToList();
        int[] prompt = model.Formatter.Tokens(conversation);
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
        };
        return (model, request, "chatcmpl-" + Guid.NewGuid().ToString("N"));
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
