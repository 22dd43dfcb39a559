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
        return await Generate(model, request, onPiece, null, cancel);
    }

    /// <summary>
    /// Generates several choices of one prompt (<paramref name="requests"/> differ in their seeds only); <paramref name="onPiece"/>
    /// receives each choice's text with its index. The first choice is queued alone; the others follow once it has
    /// sampled its first token, so its slot holds the evaluated prompt and theirs is copied from it, not evaluated again.
    /// A choice that cannot be queued (429) or fails ends them all.
    /// </summary>
    public static async Task<GenerationResult[]> RunManyAsync(LoadedModel model, IReadOnlyList<GenerationRequest> requests, Func<int, StreamPiece, Task>? onPiece, CancellationToken cancel)
    {
        CheckFits(model, requests[0]);
        using var all = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var choices = new List<Task<GenerationResult>>(requests.Count)
        {
            Generate(model, requests[0], onPiece == null ? null : p => onPiece(0, p), started, all.Token),
        };
        await Task.WhenAny(started.Task, choices[0]);
        for (int k = 1; k < requests.Count && !choices[0].IsFaulted; k++)
        {
            int index = k;
            choices.Add(Generate(model, requests[k], onPiece == null ? null : p => onPiece(index, p), null, all.Token));
        }
        var pending = new List<Task<GenerationResult>>(choices);
        while (pending.Count > 0)
        {
            var done = await Task.WhenAny(pending);
            pending.Remove(done);
            if (done.IsCompletedSuccessfully) continue;
            await all.CancelAsync(); // the others stop at their next step
            await Task.WhenAll(pending.Select(c => c.ContinueWith(_ => { }, TaskScheduler.Default)));
            return [await done]; // throws its exception
        }
        return [.. choices.Select(c => c.Result)];
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

    /// <param name="started">set when the first token is sampled (the prompt is then in the slot's cache)</param>
    private static async Task<GenerationResult> Generate(LoadedModel model, GenerationRequest request, Func<StreamPiece, Task>? onPiece,
        TaskCompletionSource? started, CancellationToken cancel)
    {
        Channel<StreamPiece>? pieces = onPiece == null ? null : Channel.CreateUnbounded<StreamPiece>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        // both sinks run on the scheduler's thread, probabilities first, so the pending list needs no lock
        List<TokenProbabilities>? pending = pieces != null && request.LogProbabilities != null ? [] : null;
        ProbabilitySink? probabilities = pending == null ? null : pending.Add;
        TokenSink? sink = pieces == null && started == null ? null : (_, text) =>
        {
            started?.TrySetResult();
            if (pieces == null || text.Length == 0) return;
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
