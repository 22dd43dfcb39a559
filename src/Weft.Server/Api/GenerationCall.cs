// Runs one generation through a model's batch scheduler from an HTTP handler: queue (429 when full), stream pieces, cancel on disconnect.
using System.Threading.Channels;
using Weft.Inference.Generation;
using Weft.Inference.Sampling;
using Weft.Server.Hosting;

namespace Weft.Server.Api;

/// <summary>Text that became safe to show, with the log-probabilities of the tokens generated since the previous piece
/// (null when the request did not ask for them).</summary>
internal readonly record struct StreamPiece(string Text, TokenProbabilities[]? Probabilities);

internal static class GenerationCall
{
    /// <summary>Generates; <paramref name="onPiece"/> (when given) receives text as it is produced, on the caller's context.</summary>
    public static async Task<GenerationResult> RunAsync(LoadedModel model, GenerationRequest request, Func<StreamPiece, Task>? onPiece, CancellationToken cancel)
    {
        CheckFits(model, request);
        return await Generate(model, request, onPiece, cancel);
    }

    /// <summary>Refuses a prompt longer than the request's context (a 400, so a stream can check it before it starts).</summary>
    public static void CheckFits(LoadedModel model, GenerationRequest request)
    {
        int context = request.EffectiveContext(model.ContextSize);
        if (request.Prompt.Count > context)
            throw ApiException.BadRequest(
                request.ContextSize is null
                    ? $"the prompt has {request.Prompt.Count} tokens but the context of '{model.Entry.Id}' holds {context}; shorten it"
                    : $"the prompt has {request.Prompt.Count} tokens but this request's context ('weft.ctx') holds {context}; shorten it or ask for more (at most {model.ContextSize})",
                "messages", "context_length_exceeded");
    }

    private static async Task<GenerationResult> Generate(LoadedModel model, GenerationRequest request, Func<StreamPiece, Task>? onPiece, CancellationToken cancel)
    {
        Channel<StreamPiece>? pieces = onPiece == null ? null : Channel.CreateUnbounded<StreamPiece>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        // both sinks run on the scheduler's thread, probabilities first, so the pending list needs no lock
        List<TokenProbabilities>? pending = pieces != null && request.LogProbabilities != null ? [] : null;
        ProbabilitySink? probabilities = pending == null ? null : pending.Add;
        TokenSink? sink = pieces == null ? null : (_, text) =>
        {
            if (text.Length == 0) return;
            pieces.Writer.TryWrite(new StreamPiece(text, pending?.ToArray()));
            pending?.Clear();
        };
        if (!model.TrySubmit(request, sink, probabilities, cancel, out var done))
            throw new ApiException(429, $"the server is busy: the queue of '{model.Entry.Id}' is full; retry shortly", "rate_limit_error", code: "queue_full") { RetryAfter = 1 };
        if (pieces != null)
        {
            _ = done.ContinueWith(_ => pieces.Writer.TryComplete(), TaskScheduler.Default);
            await foreach (var piece in pieces.Reader.ReadAllAsync(CancellationToken.None))
                await onPiece!(piece);
        }
        return await done;
    }

    public static string FinishReasonText(FinishReason f) => f switch
    {
        FinishReason.EndOfGeneration or FinishReason.StopString => "stop",
        _ => "length",
    };
}
