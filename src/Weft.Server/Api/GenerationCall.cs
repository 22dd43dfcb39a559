// Runs one generation through a model's batch scheduler from an HTTP handler: queue (429 when full), stream pieces, cancel on disconnect.
using System.Threading.Channels;
using Weft.Inference.Generation;
using Weft.Server.Hosting;

namespace Weft.Server.Api;

internal static class GenerationCall
{
    /// <summary>Generates; <paramref name="onText"/> (when given) receives text as it is produced, on the caller's context.</summary>
    public static async Task<GenerationResult> RunAsync(LoadedModel model, GenerationRequest request, Func<string, Task>? onText, CancellationToken cancel)
    {
        if (request.Prompt.Count > model.ContextSize)
            throw ApiException.BadRequest(
                $"the prompt has {request.Prompt.Count} tokens but the context of '{model.Entry.Id}' holds {model.ContextSize}; shorten it",
                "messages", "context_length_exceeded");
        Channel<string>? pieces = onText == null ? null : Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        TokenSink? sink = pieces == null ? null : (_, text) => { if (text.Length > 0) pieces.Writer.TryWrite(text); };
        if (!model.TrySubmit(request, sink, cancel, out var done))
            throw new ApiException(429, $"the server is busy: the queue of '{model.Entry.Id}' is full; retry shortly", "rate_limit_error", code: "queue_full") { RetryAfter = 1 };
        if (pieces != null)
        {
            _ = done.ContinueWith(_ => pieces.Writer.TryComplete(), TaskScheduler.Default);
            await foreach (string text in pieces.Reader.ReadAllAsync(CancellationToken.None))
                await onText!(text);
        }
        return await done;
    }

    public static string FinishReasonText(FinishReason f) => f switch
    {
        FinishReason.EndOfGeneration or FinishReason.StopString => "stop",
        _ => "length",
    };
}
